package com.runbook.engine.report;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.report.PnlCalculator.FollowerPnl;
import com.runbook.engine.report.PnlCalculator.SymbolDay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daily-pnl job's steps: which day, the P&amp;L arithmetic, the replace in daily_pnl, and the summary. In a dry run
 * the replace is planned ("replace the N daily_pnl rows of day with M"), not done; the summary goes to the notifier,
 * which plans it.
 */
public final class DailyPnl {
    private static final Logger LOG = LoggerFactory.getLogger(DailyPnl.class);
    private final Reports reports;

    DailyPnl(Reports reports) {
        this.reports = reports;
    }

    /**
     * The SQL parameters of the day to compute: {@code requested} (yyyy-MM-dd, from a manual run's {@code day}) or,
     * when blank, the trading day that closed last. Keys: day, dayStart, dayEnd (the day's bounds in the exchange zone).
     */
    @DryRunSafe
    public Map<String, Object> window(String requested) {
        TradingCalendar calendar = reports.calendar();
        LocalDate day;
        if (requested == null || requested.isBlank()) {
            day = calendar.lastClosedTradingDay(reports.clock().instant());
        } else {
            try {
                day = LocalDate.parse(requested.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("day must be a date (yyyy-MM-dd), not '" + requested + "'");
            }
            if (!calendar.isTradingDay(day)) {
                throw new IllegalArgumentException("day " + day + " is not a trading day (weekend or holiday)");
            }
        }
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("day", day);
        window.put("dayStart", calendar.startOf(day).atOffset(ZoneOffset.UTC));
        window.put("dayEnd", calendar.endOf(day).atOffset(ZoneOffset.UTC));
        return window;
    }

    /** The per-follower P&amp;L from the rows of the daily-pnl SQL (one row per follower and symbol). */
    @DryRunSafe
    public List<FollowerPnl> compute(List<Map<String, Object>> rows) {
        List<SymbolDay> symbols = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            symbols.add(new SymbolDay(((Number) r.get("follower_id")).longValue(), (String) r.get("symbol"),
                    decimal(r.get("bought_qty")), decimal(r.get("bought_value")), decimal(r.get("sold_qty")),
                    decimal(r.get("sold_value")), decimal(r.get("fees")),
                    r.get("close_price") == null ? null : decimal(r.get("close_price"))));
        }
        return PnlCalculator.compute(symbols);
    }

    static BigDecimal decimal(Object value) {
        if (value == null) {
            return BigDecimal.ZERO;
        }
        return value instanceof BigDecimal b ? b : new BigDecimal(value.toString());
    }

    /** Replaces the day's rows of daily_pnl with {@code rows} in one transaction: a re-run never duplicates. */
    @DryRunSafe
    public List<FollowerPnl> store(LocalDate day, List<FollowerPnl> rows) throws SQLException {
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            plan.get().wouldDo("sql", "replace the " + storedRows(day) + " daily_pnl rows of " + day + " with "
                    + rows.size() + " follower rows (trading database)");
            return rows;
        }
        try (Connection c = reports.trading().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("delete from daily_pnl where trade_date = ?");
                 PreparedStatement insert = c.prepareStatement("insert into daily_pnl (follower_id, trade_date, realized, unrealized, fees, net, computed_at) values (?, ?, ?, ?, ?, ?, ?)")) {
                delete.setObject(1, day);
                delete.executeUpdate();
                OffsetDateTime now = OffsetDateTime.now(reports.clock());
                for (FollowerPnl p : rows) {
                    insert.setLong(1, p.followerId());
                    insert.setObject(2, day);
                    insert.setBigDecimal(3, p.realized());
                    insert.setBigDecimal(4, p.unrealized());
                    insert.setBigDecimal(5, p.fees());
                    insert.setBigDecimal(6, p.net());
                    insert.setObject(7, now);
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        LOG.info("daily-pnl {}: stored {} follower rows", day, rows.size());
        return rows;
    }

    /** How many rows of daily_pnl {@code day} has now. */
    private long storedRows(LocalDate day) throws SQLException {
        try (Connection c = reports.trading().getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from daily_pnl where trade_date = ?")) {
            ps.setObject(1, day);
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Sends the summary by email and Telegram; the same summary of the same day is never queued twice. */
    @DryRunSafe
    public String notifySummary(LocalDate day, List<FollowerPnl> rows) throws SQLException {
        String text = summary(day, rows, names(), 3);
        String key = "daily-pnl/" + day + "/" + Reports.digest(text);
        String subject = "Daily P&L " + day + ": net " + PnlCalculator.cents(rows.stream().map(FollowerPnl::net)
                .reduce(BigDecimal.ZERO, BigDecimal::add)).toPlainString();
        reports.notifier().enqueue("email", reports.emailTo(), subject, text, key + "/email", Map.of());
        reports.notifier().enqueue("telegram", reports.telegramChat(), subject, text, key + "/telegram", Map.of());
        return text;
    }

    private Map<Long, String> names() throws SQLException {
        Map<Long, String> names = new HashMap<>();
        try (Connection c = reports.trading().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select id, name from followers")) {
            while (r.next()) {
                names.put(r.getLong(1), r.getString(2));
            }
        }
        return names;
    }

    /** The summary text: totals, then the {@code top} best and worst followers by net. */
    static String summary(LocalDate day, List<FollowerPnl> rows, Map<Long, String> names, int top) {
        BigDecimal realized = BigDecimal.ZERO;
        BigDecimal unrealized = BigDecimal.ZERO;
        BigDecimal fees = BigDecimal.ZERO;
        BigDecimal net = BigDecimal.ZERO;
        for (FollowerPnl p : rows) {
            realized = realized.add(p.realized());
            unrealized = unrealized.add(p.unrealized());
            fees = fees.add(p.fees());
            net = net.add(p.net());
        }
        StringBuilder b = new StringBuilder();
        b.append("Daily P&L for ").append(day).append(" (America/New_York), ").append(rows.size()).append(" followers traded\n");
        b.append("Net ").append(net.toPlainString()).append(" = realized ").append(realized.toPlainString())
                .append(" + unrealized ").append(unrealized.toPlainString()).append(" - fees ").append(fees.toPlainString()).append('\n');
        List<FollowerPnl> sorted = PnlCalculator.byNetDescending(rows);
        int n = Math.min(top, sorted.size());
        b.append("Top:\n");
        sorted.subList(0, n).forEach(p -> line(b, p, names));
        b.append("Bottom:\n");
        for (int i = sorted.size() - 1; i >= sorted.size() - n; i--) {
            line(b, sorted.get(i), names);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, FollowerPnl p, Map<Long, String> names) {
        b.append("  #").append(p.followerId()).append(' ').append(names.getOrDefault(p.followerId(), "?"))
                .append(": ").append(p.net().signum() > 0 ? "+" : "").append(p.net().toPlainString()).append('\n');
    }
}
