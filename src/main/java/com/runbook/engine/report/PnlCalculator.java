package com.runbook.engine.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The day's P&amp;L of one follower from the per-symbol aggregates SQL computes over the day's trades (the intraday
 * view: positions opened before the day are not carried). For each symbol, the quantity bought and sold on both
 * sides is realized at average sell price minus average buy price; the open remainder is marked at the day's close
 * (unrealized). Amounts are BigDecimal throughout; the follower's totals are rounded half-even to cents once, and
 * net = realized + unrealized - fees of the rounded figures, so a stored row always adds up.
 */
public final class PnlCalculator {
    private static final MathContext MC = MathContext.DECIMAL128;

    private PnlCalculator() {
    }

    /** One follower's trades in one symbol on one day, as the daily-pnl SQL aggregates them. */
    public record SymbolDay(long followerId, String symbol, BigDecimal boughtQty, BigDecimal boughtValue,
                            BigDecimal soldQty, BigDecimal soldValue, BigDecimal fees, BigDecimal close) {
    }

    /** One follower's P&amp;L for the day, rounded to cents. */
    public record FollowerPnl(long followerId, BigDecimal realized, BigDecimal unrealized, BigDecimal fees, BigDecimal net) {
    }

    public static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_EVEN);
    }

    /** Realized P&amp;L of one symbol: matched quantity times (average sell - average buy), unrounded. */
    static BigDecimal realized(SymbolDay s) {
        BigDecimal matched = s.boughtQty().min(s.soldQty());
        if (matched.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal avgSell = s.soldValue().divide(s.soldQty(), MC);
        BigDecimal avgBuy = s.boughtValue().divide(s.boughtQty(), MC);
        return matched.multiply(avgSell.subtract(avgBuy), MC);
    }

    /** Mark-to-market of the day: cash from sells minus cash for buys plus the open quantity at the close. */
    static BigDecimal markToMarket(SymbolDay s) {
        BigDecimal open = s.boughtQty().subtract(s.soldQty());
        if (open.signum() != 0 && s.close() == null) {
            throw new IllegalStateException("no end-of-day price for " + s.symbol() + " (follower " + s.followerId()
                    + " holds an open quantity of " + open.stripTrailingZeros().toPlainString() + ")");
        }
        BigDecimal marked = open.signum() == 0 ? BigDecimal.ZERO : open.multiply(s.close(), MC);
        return s.soldValue().subtract(s.boughtValue()).add(marked);
    }

    /** Per follower, in the order the followers first appear in {@code symbols}. */
    public static List<FollowerPnl> compute(List<SymbolDay> symbols) {
        Map<Long, BigDecimal[]> sums = new LinkedHashMap<>();
        for (SymbolDay s : symbols) {
            BigDecimal[] t = sums.computeIfAbsent(s.followerId(), k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            BigDecimal realized = realized(s);
            t[0] = t[0].add(realized);
            t[1] = t[1].add(markToMarket(s).subtract(realized));
            t[2] = t[2].add(s.fees());
        }
        List<FollowerPnl> result = new ArrayList<>();
        sums.forEach((id, t) -> {
            BigDecimal realized = cents(t[0]);
            BigDecimal unrealized = cents(t[1]);
            BigDecimal fees = cents(t[2]);
            result.add(new FollowerPnl(id, realized, unrealized, fees, realized.add(unrealized).subtract(fees)));
        });
        return result;
    }

    /** Followers ordered best net first (ties by id), for the summary's top and bottom lists. */
    public static List<FollowerPnl> byNetDescending(List<FollowerPnl> rows) {
        return rows.stream().sorted(Comparator.comparing(FollowerPnl::net).reversed()
                .thenComparing(FollowerPnl::followerId)).toList();
    }
}
