package com.runbook.engine.report;

import com.runbook.engine.backup.ObjectStore;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The monthly-report job's steps: which month, the report's figures and CSV, the stored copy and the email. In a dry
 * run the files and the object store copies are planned, not written; the email goes to the notifier, which plans it.
 */
public final class MonthlyReport {
    private static final List<String> COLUMNS = List.of("follower_id", "name", "trading_days", "realized", "unrealized", "fees", "net", "commission");
    private final Reports reports;

    MonthlyReport(Reports reports) {
        this.reports = reports;
    }

    /** The report's figures ({@code model}, what the template sees as body) and its CSV. */
    public record Report(YearMonth month, Map<String, Object> model, String csv) {
    }

    /**
     * The SQL parameters of the month: {@code requested} (yyyy-MM) or, when blank, the month before today in the
     * exchange zone. Keys: year, month, monthStart, monthEnd (dates, end exclusive), label.
     */
    @DryRunSafe
    public Map<String, Object> period(String requested) {
        YearMonth month;
        if (requested == null || requested.isBlank()) {
            month = YearMonth.from(LocalDate.now(reports.clock().withZone(reports.calendar().zone()))).minusMonths(1);
        } else {
            try {
                month = YearMonth.parse(requested.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("month must be yyyy-MM, not '" + requested + "'");
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("year", month.getYear());
        p.put("month", month.getMonthValue());
        p.put("monthStart", month.atDay(1));
        p.put("monthEnd", month.plusMonths(1).atDay(1));
        p.put("label", month.toString());
        return p;
    }

    /** Builds the figures and the CSV from the monthly-report SQL rows (one per follower). */
    @DryRunSafe
    public Report build(List<Map<String, Object>> rows, Map<String, Object> period) {
        YearMonth month = YearMonth.of((Integer) period.get("year"), (Integer) period.get("month"));
        List<Map<String, Object>> lines = new ArrayList<>();
        BigDecimal[] totals = {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
        for (Map<String, Object> r : rows) {
            BigDecimal[] v = {DailyPnl.decimal(r.get("realized")), DailyPnl.decimal(r.get("unrealized")),
                DailyPnl.decimal(r.get("fees")), DailyPnl.decimal(r.get("net")), DailyPnl.decimal(r.get("commission_amount"))};
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("follower_id", ((Number) r.get("follower_id")).longValue());
            line.put("name", String.valueOf(r.get("name")));
            line.put("trading_days", ((Number) r.get("trading_days")).intValue());
            for (int i = 0; i < v.length; i++) {
                totals[i] = totals[i].add(v[i]);
                line.put(COLUMNS.get(i + 3), PnlCalculator.cents(v[i]).toPlainString());
            }
            lines.add(line);
            List<String> cells = new ArrayList<>();
            line.values().forEach(x -> cells.add(csvCell(String.valueOf(x))));
            csv.append(String.join(",", cells)).append("\r\n");
        }
        Map<String, Object> total = new LinkedHashMap<>();
        for (int i = 0; i < totals.length; i++) {
            total.put(COLUMNS.get(i + 3), PnlCalculator.cents(totals[i]).toPlainString());
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("month", month.toString());
        model.put("title", month.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + month.getYear());
        model.put("rows", lines);
        model.put("total", total);
        return new Report(month, model, csv.toString());
    }

    /** RFC 4180: quote a cell holding a comma, quote or line break, doubling its quotes. */
    static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /**
     * Writes the HTML and CSV under {@code <data-dir>/reports/} (written whole, then renamed; the outbox attaches the
     * CSV from there), copies both to the object store (the local folder or S3 the backups use)
     * as {@code reports/<yyyy>/<MM>/<name>}, and queues the HTML email with the CSV attached; the same report of the
     * same month is queued once. Returns the CSV's object store key.
     */
    @DryRunSafe
    public String deliver(Report report, String html) throws IOException {
        Path dir = reports.parts().dataDir().resolve("reports");
        String name = "monthly-report-" + report.month();
        String prefix = storeKeyPrefix(report.month());
        ObjectStore store = reports.store().get();
        if (store == null) {
            throw new IllegalStateException("no object store: the backup module is not installed");
        }
        Path csv = dir.resolve(name + ".csv");
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            for (String ext : List.of(".csv", ".html")) {
                plan.get().wouldDo("file", "write " + dir.resolve(name + ext));
            }
            for (String ext : List.of(".csv", ".html")) {
                plan.get().wouldDo(store.kind(), "upload " + store.location(prefix + name + ext) + " (monthly report copy)");
            }
        } else {
            Files.createDirectories(dir);
            write(csv, report.csv());
            write(dir.resolve(name + ".html"), html);
            try (InputStream in = Files.newInputStream(csv)) {
                store.put(prefix + name + ".csv", in);
            }
            try (InputStream in = Files.newInputStream(dir.resolve(name + ".html"))) {
                store.put(prefix + name + ".html", in);
            }
        }
        String key = "monthly-report/" + report.month() + "/" + Reports.digest(html + report.csv());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/html; charset=UTF-8");
        headers.put("Attachment-Path", csv.toString());
        headers.put("Attachment-Name", name + ".csv");
        headers.put("Attachment-Type", "text/csv; charset=UTF-8");
        reports.notifier().enqueue("email", reports.emailTo(),
                "Monthly report " + report.model().get("title"), html, key, headers);
        return prefix + name + ".csv";
    }

    /** {@code reports/<yyyy>/<MM>/}: where the month's copies go in the object store. */
    static String storeKeyPrefix(YearMonth month) {
        return String.format("reports/%04d/%02d/", month.getYear(), month.getMonthValue());
    }

    private static Path write(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
