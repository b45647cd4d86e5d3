package com.runbook.engine.report;

import com.runbook.engine.report.PnlCalculator.FollowerPnl;
import com.runbook.engine.report.PnlCalculator.SymbolDay;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PnlCalculatorTest {
    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static SymbolDay day(long f, String sym, String bq, String bv, String sq, String sv, String fees, String close) {
        return new SymbolDay(f, sym, d(bq), d(bv), d(sq), d(sv), d(fees), close == null ? null : d(close));
    }

    @Test
    void aRoundTripIsAllRealized() {
        // bought 10 @ 100 and 10 @ 102 (avg 101), sold 20 @ 103: realized 20 * 2 = 40
        List<FollowerPnl> r = PnlCalculator.compute(List.of(day(1, "AAPL", "20", "2020", "20", "2060", "2.5", "99")));
        assertThat(r).containsExactly(new FollowerPnl(1, d("40.00"), d("0.00"), d("2.50"), d("37.50")));
    }

    @Test
    void theOpenRemainderIsMarkedAtTheClose() {
        // bought 30 @ 10 (300), sold 10 @ 12 (120), close 11: realized 10*(12-10)=20, unrealized 20*(11-10)=20
        List<FollowerPnl> r = PnlCalculator.compute(List.of(day(7, "MSFT", "30", "300", "10", "120", "1", "11")));
        assertThat(r).containsExactly(new FollowerPnl(7, d("20.00"), d("20.00"), d("1.00"), d("39.00")));
    }

    @Test
    void symbolsAddUpPerFollowerAndRoundHalfEvenOnce() {
        // 3 bought for 10, 3 sold for 10.01 -> realized 0.01 exactly; two symbols of 0.005 each round once, not twice
        List<FollowerPnl> r = PnlCalculator.compute(List.of(
                day(2, "A", "2", "2.00", "2", "2.01", "0.0025", null),
                day(2, "B", "1", "1.000", "1", "1.005", "0.0025", null),
                day(3, "A", "1", "1.000", "1", "1.005", "0", null)));
        assertThat(r).containsExactly(
                new FollowerPnl(2, d("0.02"), d("0.00"), d("0.00"), d("0.02")),   // 0.015 -> 0.02, fees 0.005 -> 0.00
                new FollowerPnl(3, d("0.00"), d("0.00"), d("0.00"), d("0.00")));  // 0.005 -> 0.00 (half-even)
    }

    @Test
    void netIsTheSumOfTheRoundedParts() {
        List<FollowerPnl> r = PnlCalculator.compute(List.of(day(4, "A", "3", "10", "1", "4", "0.333", "3.3333")));
        FollowerPnl p = r.get(0);
        assertThat(p.net()).isEqualTo(p.realized().add(p.unrealized()).subtract(p.fees()));
        assertThat(p.realized()).isEqualTo(d("0.67")); // 1 * (4 - 10/3)
        assertThat(p.unrealized()).isEqualTo(d("0.00")); // 2*3.3333 + 4 - 10 - 0.6667 = -0.0001...
    }

    @Test
    void anOpenPositionWithoutAClosingPriceFailsTheRun() {
        assertThatThrownBy(() -> PnlCalculator.compute(List.of(day(5, "TSLA", "5", "1000", "2", "420", "1", null))))
                .hasMessage("no end-of-day price for TSLA (follower 5 holds an open quantity of 3)");
    }

    @Test
    void theSummaryHasTotalsAndTheBestAndWorstFollowers() {
        List<FollowerPnl> rows = List.of(
                new FollowerPnl(1, d("10.00"), d("0.00"), d("1.00"), d("9.00")),
                new FollowerPnl(2, d("-5.00"), d("1.00"), d("1.00"), d("-5.00")),
                new FollowerPnl(3, d("20.00"), d("0.50"), d("0.50"), d("20.00")));
        String text = DailyPnl.summary(LocalDate.parse("2026-11-24"), rows, Map.of(1L, "Ava", 2L, "Liam", 3L, "Sofia"), 2);
        assertThat(text).isEqualTo("""
                Daily P&L for 2026-11-24 (America/New_York), 3 followers traded
                Net 24.00 = realized 25.00 + unrealized 1.50 - fees 2.50
                Top:
                  #3 Sofia: +20.00
                  #1 Ava: +9.00
                Bottom:
                  #2 Liam: -5.00
                  #1 Ava: +9.00
                """);
    }
}
