package com.runbook.engine.report;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.notify.Dispatcher;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.notify.Outbox;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static com.runbook.engine.TestEngine.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The three report runbooks, as shipped, on an engine with the demo trading database (H2, or PostgreSQL), its real
 * outbox delivering email to GreenMail (SMTP) and Telegram to the default local folder.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportsRunbookTest {
    private static final ZoneId NY = ZoneId.of("America/New_York");
    private static final MathContext MC = new MathContext(40);

    @TempDir
    static Path dir;
    Engine engine;
    DataSource trading;
    Path base;
    GreenMail greenMail;
    Outbox outbox;
    final SwitchableNotifier notifier = new SwitchableNotifier();

    @BeforeAll
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Map<String, String> props = new HashMap<>(TradingTestDb.properties(dir.resolve("data")));
        props.put("runbook.trading.demo", "true");
        props.put("runbook.reports.email-to", "ops@example.com");
        props.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + greenMail.getSmtp().getPort() + "?connectionTimeout=2000");
        props.put("runbook.notify.poll", "100ms");
        props.put("runbook.notify.backoff", "100ms");
        engine = TestEngine.start(base, dir.resolve("data"), props, Map.of("notifier", notifier));
        outbox = (Outbox) engine.notifier();
        notifier.use(outbox);
        trading = engine.context().getRegistry().lookupByNameAndType("trading", DataSource.class);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        greenMail.stop();
    }

    /** Sends what the report beans queue to {@code target} (the engine's notifier passes every call to it). */
    private void bindNotifier(Notifier target) {
        notifier.use(target);
    }

    private Map<String, Object> run(String job, String json) throws Exception {
        var response = TestEngine.post(engine, "/api/jobs/" + job + "/run", TOKEN, json);
        assertThat(response.statusCode()).isEqualTo(202);
        long id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(60)).until(() -> !"running".equals(engine.runs().find(id).orElseThrow().json().get("status")));
        return engine.runs().find(id).orElseThrow().json();
    }

    private List<Map<String, Object>> query(String sql, Object... params) throws Exception {
        try (Connection c = trading.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                        row.put(r.getMetaData().getColumnLabel(i).toLowerCase(), r.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** Outbox rows whose idempotency key starts with {@code prefix}. */
    private List<Map<String, Object>> queued(String prefix) {
        return outbox.find("idempotency_key like ?", prefix + "%");
    }

    /** Waits until every queued message of {@code prefix} is delivered, then returns the mail GreenMail received for it. */
    private List<MimeMessage> delivered(String prefix) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> queued(prefix).stream().allMatch(r -> "sent".equals(r.get("STATUS"))));
        List<MimeMessage> mail = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            String[] key = m.getHeader(Dispatcher.IDEMPOTENCY_HEADER);
            if (key != null && key[0].startsWith(prefix)) {
                mail.add(m);
            }
        }
        return mail;
    }

    private static String key(MimeMessage m) throws Exception {
        return m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0];
    }

    private static String to(MimeMessage m) throws Exception {
        return m.getRecipients(RecipientType.TO)[0].toString();
    }

    private static String text(MimeMessage m) throws Exception {
        return m.getContent() instanceof MimeMultipart parts ? parts.getBodyPart(0).getContent().toString() : m.getContent().toString();
    }

    /** Expected daily_pnl rows ("realized unrealized fees net" per follower), straight from the trades table. */
    private Map<Long, String> expectedPnl(LocalDate day) throws Exception {
        Instant from = day.atStartOfDay(NY).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(NY).toInstant();
        Map<String, BigDecimal> close = new HashMap<>();
        for (Map<String, Object> p : query("select symbol, close_price from eod_prices where trade_date = ?", day)) {
            close.put((String) p.get("symbol"), (BigDecimal) p.get("close_price"));
        }
        // per follower and symbol: {bought qty, bought value, sold qty, sold value}; per follower: fees
        Map<Long, Map<String, BigDecimal[]>> pos = new TreeMap<>();
        Map<Long, BigDecimal> fees = new HashMap<>();
        for (Map<String, Object> t : query("select follower_id, symbol, side, qty, price, fee, executed_at from trades")) {
            Instant at = ((java.time.temporal.TemporalAccessor) toOffset(t.get("executed_at"))).query(Instant::from);
            if (at.isBefore(from) || !at.isBefore(to)) {
                continue;
            }
            long f = ((Number) t.get("follower_id")).longValue();
            BigDecimal[] s = pos.computeIfAbsent(f, k -> new TreeMap<>()).computeIfAbsent((String) t.get("symbol"),
                    k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            int side = "BUY".equals(t.get("side")) ? 0 : 2;
            BigDecimal qty = (BigDecimal) t.get("qty");
            s[side] = s[side].add(qty);
            s[side + 1] = s[side + 1].add(qty.multiply((BigDecimal) t.get("price")));
            fees.merge(f, (BigDecimal) t.get("fee"), BigDecimal::add);
        }
        Map<Long, String> expected = new TreeMap<>();
        pos.forEach((f, symbols) -> {
            BigDecimal realized = BigDecimal.ZERO;
            BigDecimal total = BigDecimal.ZERO;
            for (Map.Entry<String, BigDecimal[]> e : symbols.entrySet()) {
                BigDecimal[] s = e.getValue();
                BigDecimal matched = s[0].min(s[2]);
                if (matched.signum() > 0) {
                    realized = realized.add(matched.multiply(s[3], MC).divide(s[2], MC).subtract(matched.multiply(s[1], MC).divide(s[0], MC)));
                }
                total = total.add(s[3]).subtract(s[1]).add(s[0].subtract(s[2]).multiply(close.getOrDefault(e.getKey(), BigDecimal.ZERO)));
            }
            BigDecimal r = realized.setScale(2, RoundingMode.HALF_EVEN);
            BigDecimal u = total.subtract(realized).setScale(2, RoundingMode.HALF_EVEN);
            BigDecimal fe = fees.get(f).setScale(2, RoundingMode.HALF_EVEN);
            expected.put(f, r + " " + u + " " + fe + " " + r.add(u).subtract(fe));
        });
        return expected;
    }

    private static OffsetDateTime toOffset(Object value) {
        if (value instanceof OffsetDateTime o) {
            return o;
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(value.toString().replace(' ', 'T'));
    }

    private Map<Long, String> storedPnl(LocalDate day) throws Exception {
        Map<Long, String> stored = new TreeMap<>();
        for (Map<String, Object> r : query("select follower_id, realized, unrealized, fees, net from daily_pnl where trade_date = ?", day)) {
            stored.put(((Number) r.get("follower_id")).longValue(), r.get("realized") + " " + r.get("unrealized") + " " + r.get("fees") + " " + r.get("net"));
        }
        return stored;
    }

    @Test
    @Order(1)
    void aTemplateErrorFailsTheRunBeforeAnythingIsQueuedOrMarked() throws Exception {
        Path template = base.resolve("routes/templates/commission-email.ftl");
        String good = Files.readString(template);
        Files.writeString(template, good + "${body.noSuchField}\n");
        long unsent = query("select * from commission_monthly where sent = false").size();
        Map<String, Object> run = run("weekly-commission-emails", "");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("noSuchField");
        assertThat(queued("commission/")).isEmpty();
        assertThat(query("select * from commission_monthly where sent = false")).hasSize((int) unsent);
        Files.writeString(template, good);
    }

    @Test
    @Order(2)
    void commissionEmailsGoOutExactlyOnceAcrossACrashAndReRuns() throws Exception {
        List<Map<String, Object>> payable = query("select c.follower_id, c.year, c.month, c.commission_amount, f.email "
                + "from commission_monthly c join followers f on f.id = c.follower_id where c.sent = false and c.is_payable = true");
        List<Map<String, Object>> valid = payable.stream().filter(r -> r.get("email") != null && ((String) r.get("email")).contains("@")).toList();
        List<Map<String, Object>> invalid = payable.stream().filter(r -> !valid.contains(r)).toList();
        assertThat(valid).hasSizeGreaterThan(5);
        assertThat(invalid).isNotEmpty();
        String untouched = query("select follower_id, year, month, sent, sent_at from commission_monthly where is_payable = false or sent = true order by 1, 2, 3").toString();

        bindNotifier(new CrashingNotifier(outbox, 4));
        Map<String, Object> crashed;
        try {
            crashed = run("weekly-commission-emails", "");
        } finally {
            bindNotifier(outbox);
        }
        assertThat(crashed.get("status")).isEqualTo("failed");
        assertThat((String) crashed.get("error")).contains("simulated crash after queueing commission/");
        // the chunk's queueing is one transaction: nothing of it stays queued, nothing is marked
        assertThat(queued("commission/")).isEmpty();
        assertThat(query("select * from commission_monthly where sent = true and sent_at > ?", OffsetDateTime.now().minusHours(1))).isEmpty();

        assertThat(run("weekly-commission-emails", "").get("status")).isEqualTo("succeeded");
        assertThat(run("weekly-commission-emails", "").get("status")).isEqualTo("succeeded");

        // GreenMail received exactly one email per payable row, to the follower, carrying the row's key
        List<MimeMessage> sent = delivered("commission/");
        assertThat(sent).hasSize(valid.size());
        assertThat(queued("commission/")).extracting(r -> ((Number) r.get("PRIORITY")).intValue()).containsOnly(Notifier.BULK);
        Map<String, MimeMessage> byKey = new HashMap<>();
        for (MimeMessage m : sent) {
            assertThat(byKey.put(key(m), m)).as("second email for " + key(m)).isNull();
        }
        BigDecimal expectedTotal = BigDecimal.ZERO;
        Map<String, Integer> rowsPerRecipient = new HashMap<>();
        for (Map<String, Object> r : valid) {
            String key = "commission/" + r.get("follower_id") + "/" + r.get("year") + "/" + r.get("month");
            MimeMessage m = byKey.get(key);
            assertThat(m).as(key).isNotNull();
            assertThat(to(m)).isEqualTo(r.get("email"));
            rowsPerRecipient.merge((String) r.get("email"), 1, Integer::sum);
            BigDecimal amount = ((BigDecimal) r.get("commission_amount")).setScale(2, RoundingMode.HALF_EVEN);
            assertThat(text(m)).contains("is " + amount.toPlainString() + " USD");
            expectedTotal = expectedTotal.add(amount);
        }
        Map<String, Integer> mailsPerRecipient = new HashMap<>();
        BigDecimal mailedTotal = BigDecimal.ZERO;
        for (MimeMessage m : sent) {
            mailsPerRecipient.merge(to(m), 1, Integer::sum);
            mailedTotal = mailedTotal.add(new BigDecimal(text(m).replaceAll("(?s).* is (-?[0-9.]+) USD.*", "$1")));
        }
        assertThat(mailsPerRecipient).isEqualTo(rowsPerRecipient);
        assertThat(mailedTotal).isEqualTo(expectedTotal);

        assertThat(query("select * from commission_monthly where sent = false and is_payable = true")).hasSize(invalid.size());
        assertThat(query("select follower_id, year, month, sent, sent_at from commission_monthly where is_payable = false or (sent = true and sent_at < ?) order by 1, 2, 3",
                OffsetDateTime.now().minusHours(1)).toString()).isEqualTo(untouched);
        List<MimeMessage> skipped = delivered("commission-skipped/");
        assertThat(skipped).as("one report of the skipped rows per completed run").hasSize(2);
        for (MimeMessage m : skipped) {
            assertThat(to(m)).isEqualTo("ops@example.com");
            for (Map<String, Object> r : invalid) {
                assertThat(text(m)).contains("commission/" + r.get("follower_id") + "/" + r.get("year") + "/" + r.get("month") + ": ");
            }
        }
    }

    @Test
    @Order(3)
    void dailyPnlMatchesTheTradesAndAReRunReplacesTheDay() throws Exception {
        TradingCalendar calendar = engine.context().getRegistry().lookupByNameAndType("tradingCalendar", TradingCalendar.class);
        LocalDate day = calendar.lastClosedTradingDay(Instant.now());
        try (Connection c = trading.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("delete from daily_pnl where trade_date = DATE '" + day + "'");
        }
        assertThat(run("daily-pnl", "{\"day\": \"" + day + "\"}").get("status")).isEqualTo("succeeded");
        Map<Long, String> expected = expectedPnl(day);
        assertThat(expected).hasSizeGreaterThan(5);
        assertThat(storedPnl(day)).isEqualTo(expected);
        assertThat(queued("daily-pnl/" + day + "/")).extracting(r -> r.get("CHANNEL")).containsExactlyInAnyOrder("email", "telegram");
        List<MimeMessage> summary = delivered("daily-pnl/" + day + "/");
        assertThat(summary).hasSize(1);
        BigDecimal net = expected.values().stream().map(v -> new BigDecimal(v.split(" ")[3])).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(text(summary.get(0))).contains("Net " + net.toPlainString() + " = ").contains(expected.size() + " followers traded");

        // the same day again: same rows, nothing new to send
        assertThat(run("daily-pnl", "{\"day\": \"" + day + "\"}").get("status")).isEqualTo("succeeded");
        assertThat(storedPnl(day)).isEqualTo(expected);
        assertThat(queued("daily-pnl/" + day + "/")).hasSize(2);

        // a corrected trade: the re-run replaces the day's rows and sends the corrected summary
        long follower = expected.keySet().iterator().next();
        try (Connection c = trading.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update trades set price = price + 1 where follower_id = ? and side = 'SELL' and executed_at >= ? and executed_at < ?")) {
            ps.setLong(1, follower);
            ps.setObject(2, day.atStartOfDay(NY).toOffsetDateTime());
            ps.setObject(3, day.plusDays(1).atStartOfDay(NY).toOffsetDateTime());
            ps.executeUpdate();
        }
        assertThat(run("daily-pnl", "{\"day\": \"" + day + "\"}").get("status")).isEqualTo("succeeded");
        Map<Long, String> corrected = expectedPnl(day);
        assertThat(storedPnl(day)).isEqualTo(corrected).hasSameSizeAs(expected);
        assertThat(queued("daily-pnl/" + day + "/")).hasSize(corrected.equals(expected) ? 2 : 4);
        assertThat(delivered("daily-pnl/" + day + "/")).hasSize(corrected.equals(expected) ? 1 : 2);
    }

    @Test
    @Order(4)
    void aDayThatIsNotATradingDayIsRefused() throws Exception {
        Map<String, Object> run = run("daily-pnl", "{\"day\": \"2026-11-28\"}");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("IllegalArgumentException: day 2026-11-28 is not a trading day (weekend or holiday)");
    }

    @Test
    @Order(5)
    void monthlyReportMailsHtmlWithTheCsvAndKeepsACopy() throws Exception {
        YearMonth month = YearMonth.now(NY).minusMonths(1);
        assertThat(run("monthly-report", "{\"month\": \"" + month + "\"}").get("status")).isEqualTo("succeeded");
        Path csv = dir.resolve("data/reports/monthly-report-" + month + ".csv");
        assertThat(dir.resolve("data/reports/monthly-report-" + month + ".html")).exists();
        List<String> lines = Files.readAllLines(csv);
        int followers = query("select id from followers").size();
        assertThat(lines).hasSize(followers + 1);
        assertThat(lines.get(0)).isEqualTo("follower_id,name,trading_days,realized,unrealized,fees,net,commission");

        Map<Long, BigDecimal> net = new HashMap<>();
        for (Map<String, Object> r : query("select follower_id, net from daily_pnl where trade_date >= ? and trade_date < ?",
                month.atDay(1), month.plusMonths(1).atDay(1))) {
            net.merge(((Number) r.get("follower_id")).longValue(), (BigDecimal) r.get("net"), BigDecimal::add);
        }
        BigDecimal total = BigDecimal.ZERO;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
            BigDecimal expected = net.getOrDefault(Long.parseLong(cells[0]), BigDecimal.ZERO).setScale(2, RoundingMode.HALF_EVEN);
            assertThat(new BigDecimal(cells[6])).as(line).isEqualTo(expected);
            total = total.add(expected);
        }
        List<MimeMessage> mail = delivered("monthly-report/" + month + "/");
        assertThat(mail).hasSize(1);
        assertThat(queued("monthly-report/" + month + "/")).as("a report is not a page: delivery priority 5")
                .extracting(r -> ((Number) r.get("PRIORITY")).intValue()).containsExactly(Notifier.BULK);
        assertThat(to(mail.get(0))).isEqualTo("ops@example.com");
        MimeMultipart parts = (MimeMultipart) mail.get(0).getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/html");
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("<h2>Monthly report ")
                .contains(">" + total.toPlainString() + "</th>").contains("Isla O&#39;Brien");
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("monthly-report-" + month + ".csv");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/csv");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo(Files.readAllBytes(csv));

        // a copy of both files in the object store (the local folder by default), under reports/<yyyy>/<MM>/
        Path stored = dir.resolve("data/objects/reports/" + month.getYear() + "/" + String.format("%02d", month.getMonthValue()));
        assertThat(stored.resolve("monthly-report-" + month + ".csv")).hasSameBinaryContentAs(csv);
        assertThat(Files.readString(stored.resolve("monthly-report-" + month + ".html"))).isEqualToNormalizingNewlines(parts.getBodyPart(0).getContent().toString());

        // a second run of the same month mails nothing new
        assertThat(run("monthly-report", "{\"month\": \"" + month + "\"}").get("status")).isEqualTo("succeeded");
        assertThat(queued("monthly-report/" + month + "/")).hasSize(1);
    }
}
