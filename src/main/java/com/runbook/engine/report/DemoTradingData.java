package com.runbook.engine.report;

import com.runbook.engine.report.PnlCalculator.FollowerPnl;
import com.runbook.engine.report.PnlCalculator.SymbolDay;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates a realistic small trading history for the demo profile: followers (two with a missing or invalid
 * email, to show how the commission job reports them), about 95 days of intraday trades and hourly market bars in eight symbols ending
 * today in the exchange zone, end-of-day prices, the daily P&amp;L of every closed day, and three months of
 * commissions (the oldest already sent). Deterministic for a given seed and day.
 */
final class DemoTradingData {
    private static final String[] NAMES = {"Ava Thompson", "Liam Chen", "Sofia Rossi", "Noah Patel", "Mia Novak",
        "Ethan Garcia", "Zoe Müller", "Lucas Silva", "Emma Johansson", "Omar Haddad", "Chloe Martin", "Arjun Mehta",
        "Isla O'Brien", "Mateo López", "Hana Sato", "Felix Wagner", "Grace Kim", "Leo Dubois", "Nora Hansen",
        "Yusuf Demir", "Ella Brown", "Kai Nakamura", "Aria Costa", "Jonas Berg"};
    private static final String[] SYMBOLS = {"AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY"};
    private static final double[] START = {190, 410, 120, 180, 165, 480, 240, 560};

    private final DataSource ds;
    private final TradingCalendar calendar;
    private final Clock clock;
    private final long seed;

    public DemoTradingData(DataSource ds, TradingCalendar calendar, Clock clock, long seed) {
        this.ds = ds;
        this.calendar = calendar;
        this.clock = clock;
        this.seed = seed;
    }

    /** Seeds an empty trading database; returns the rows written (0 when followers already has rows). */
    public int seedIfEmpty() throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from followers")) {
                r.next();
                if (r.getLong(1) > 0) {
                    return 0;
                }
            }
            c.setAutoCommit(false);
            int rows = seed(c);
            c.commit();
            return rows;
        }
    }

    private int seed(Connection c) throws SQLException {
        Random random = new Random(seed);
        Random barRandom = new Random(seed + 1);   // its own sequence: the trades stay what they were without bars
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement("insert into followers (id, name, email, commission_rate) values (?, ?, ?, ?)")) {
            for (int i = 0; i < NAMES.length; i++) {
                ps.setLong(1, i + 1);
                ps.setString(2, NAMES[i]);
                ps.setString(3, i == 6 ? null : i == 12 ? "isla.obrien-at-example.com" : email(NAMES[i]));
                ps.setBigDecimal(4, BigDecimal.valueOf(10 + random.nextInt(16), 2));
                ps.addBatch();
                rows++;
            }
            ps.executeBatch();
        }
        LocalDate today = LocalDate.now(clock.withZone(calendar.zone()));
        LocalDate lastClosed = calendar.lastClosedTradingDay(clock.instant());
        double[] price = START.clone();
        Map<Long, Map<YearMonth, BigDecimal>> monthlyNet = new HashMap<>();
        try (PreparedStatement trade = c.prepareStatement("insert into trades (follower_id, symbol, side, qty, price, fee, executed_at) values (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement eod = c.prepareStatement("insert into eod_prices (symbol, trade_date, close_price) values (?, ?, ?)");
             PreparedStatement bar = c.prepareStatement("insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume) values (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement pnl = c.prepareStatement("insert into daily_pnl (follower_id, trade_date, realized, unrealized, fees, net, computed_at) values (?, ?, ?, ?, ?, ?, ?)")) {
            for (LocalDate day = today.minusDays(95); !day.isAfter(today); day = day.plusDays(1)) {
                if (!calendar.isTradingDay(day)) {
                    continue;
                }
                for (int s = 0; s < SYMBOLS.length; s++) {
                    price[s] = Math.max(5, price[s] * (1 + random.nextGaussian() * 0.015));
                }
                Map<String, SymbolDay> days = new LinkedHashMap<>();
                for (long f = 1; f <= NAMES.length; f++) {
                    int trades = random.nextInt(4);
                    for (int t = 0; t < trades; t++) {
                        int s = random.nextInt(SYMBOLS.length);
                        BigDecimal qty = BigDecimal.valueOf(1 + random.nextInt(100));
                        BigDecimal buy = money(price[s] * (1 + random.nextGaussian() * 0.006));
                        rows += trade(trade, f, SYMBOLS[s], "BUY", qty, buy, day, 570 + random.nextInt(180), days);
                        if (random.nextInt(4) > 0) {
                            BigDecimal sold = random.nextBoolean() ? qty : BigDecimal.valueOf(1 + random.nextInt(qty.intValue()));
                            BigDecimal sell = money(price[s] * (1 + random.nextGaussian() * 0.006));
                            rows += trade(trade, f, SYMBOLS[s], "SELL", sold, sell, day, 750 + random.nextInt(200), days);
                        }
                    }
                }
                for (int s = 0; s < SYMBOLS.length; s++) {
                    rows += bars(bar, SYMBOLS[s], day, price[s], barRandom);
                    eod.setString(1, SYMBOLS[s]);
                    eod.setObject(2, day);
                    eod.setBigDecimal(3, money(price[s]));
                    eod.addBatch();
                    rows++;
                }
                if (!day.isAfter(lastClosed)) {
                    List<SymbolDay> closed = new ArrayList<>();
                    for (SymbolDay d : days.values()) {
                        int s = List.of(SYMBOLS).indexOf(d.symbol());
                        closed.add(new SymbolDay(d.followerId(), d.symbol(), d.boughtQty(), d.boughtValue(), d.soldQty(),
                                d.soldValue(), d.fees(), money(price[s])));
                    }
                    for (FollowerPnl p : PnlCalculator.compute(closed)) {
                        pnl.setLong(1, p.followerId());
                        pnl.setObject(2, day);
                        pnl.setBigDecimal(3, p.realized());
                        pnl.setBigDecimal(4, p.unrealized());
                        pnl.setBigDecimal(5, p.fees());
                        pnl.setBigDecimal(6, p.net());
                        pnl.setObject(7, OffsetDateTime.now(clock));
                        pnl.addBatch();
                        rows++;
                        monthlyNet.computeIfAbsent(p.followerId(), k -> new HashMap<>())
                                .merge(YearMonth.from(day), p.net(), BigDecimal::add);
                    }
                }
            }
            trade.executeBatch();
            eod.executeBatch();
            bar.executeBatch();
            pnl.executeBatch();
        }
        rows += commissions(c, monthlyNet, YearMonth.from(today));
        return rows;
    }

    private int commissions(Connection c, Map<Long, Map<YearMonth, BigDecimal>> monthlyNet, YearMonth current) throws SQLException {
        Map<Long, BigDecimal> rates = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select id, commission_rate from followers")) {
            while (r.next()) {
                rates.put(r.getLong(1), r.getBigDecimal(2));
            }
        }
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement("insert into commission_monthly (follower_id, year, month, commission_amount, is_payable, sent, sent_at) values (?, ?, ?, ?, ?, ?, ?)")) {
            for (int back = 3; back >= 1; back--) {
                YearMonth month = current.minusMonths(back);
                for (Map.Entry<Long, BigDecimal> rate : rates.entrySet()) {
                    BigDecimal net = monthlyNet.getOrDefault(rate.getKey(), Map.of()).getOrDefault(month, BigDecimal.ZERO);
                    BigDecimal amount = PnlCalculator.cents(net.max(BigDecimal.ZERO).multiply(rate.getValue()));
                    boolean sent = back == 3 && amount.signum() > 0;
                    ps.setLong(1, rate.getKey());
                    ps.setInt(2, month.getYear());
                    ps.setInt(3, month.getMonthValue());
                    ps.setBigDecimal(4, amount);
                    ps.setBoolean(5, amount.signum() > 0);
                    ps.setBoolean(6, sent);
                    ps.setObject(7, sent ? month.plusMonths(1).atDay(7).atStartOfDay().atOffset(ZoneOffset.UTC) : null);
                    ps.addBatch();
                    rows++;
                }
            }
            ps.executeBatch();
        }
        return rows;
    }

    private int trade(PreparedStatement ps, long follower, String symbol, String side, BigDecimal qty, BigDecimal price,
                      LocalDate day, int minuteOfDay, Map<String, SymbolDay> days) throws SQLException {
        BigDecimal fee = qty.multiply(price).multiply(new BigDecimal("0.0005")).max(BigDecimal.ONE).setScale(4, RoundingMode.HALF_EVEN);
        ps.setLong(1, follower);
        ps.setString(2, symbol);
        ps.setString(3, side);
        ps.setBigDecimal(4, qty);
        ps.setBigDecimal(5, price);
        ps.setBigDecimal(6, fee);
        ps.setObject(7, day.atTime(LocalTime.ofSecondOfDay(minuteOfDay * 60L)).atZone(calendar.zone()).toOffsetDateTime());
        ps.addBatch();
        boolean buy = side.equals("BUY");
        BigDecimal value = qty.multiply(price);
        days.merge(follower + "/" + symbol, new SymbolDay(follower, symbol, buy ? qty : BigDecimal.ZERO, buy ? value : BigDecimal.ZERO,
                buy ? BigDecimal.ZERO : qty, buy ? BigDecimal.ZERO : value, fee, null), (a, b) -> new SymbolDay(follower, symbol,
                a.boughtQty().add(b.boughtQty()), a.boughtValue().add(b.boughtValue()), a.soldQty().add(b.soldQty()),
                a.soldValue().add(b.soldValue()), a.fees().add(b.fees()), null));
        return 1;
    }

    /** Seven hourly bars from 09:30 in the exchange zone around the day's close (what the Sunday maintenance purges). */
    private int bars(PreparedStatement ps, String symbol, LocalDate day, double close, Random random) throws SQLException {
        for (int h = 0; h < 7; h++) {
            double open = close * (1 + random.nextGaussian() * 0.004);
            double last = close * (1 + random.nextGaussian() * 0.004);
            ps.setString(1, symbol);
            ps.setObject(2, day.atTime(9, 30).plusHours(h).atZone(calendar.zone()).toOffsetDateTime());
            ps.setBigDecimal(3, money(open));
            ps.setBigDecimal(4, money(Math.max(open, last) * 1.002));
            ps.setBigDecimal(5, money(Math.min(open, last) * 0.998));
            ps.setBigDecimal(6, money(last));
            ps.setLong(7, 1000 + random.nextInt(100_000));
            ps.addBatch();
        }
        return 7;
    }

    private static BigDecimal money(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_EVEN);
    }

    private static String email(String name) {
        return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD).replaceAll("[^A-Za-z ]", "")
                .toLowerCase().replace(' ', '.') + "@example.com";
    }
}
