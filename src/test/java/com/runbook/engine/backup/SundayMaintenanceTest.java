package com.runbook.engine.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped sunday-maintenance runbook with the real incident service and outbox: critical tables exported to
 * S3Mock, old market bars purged in batches from the trading database, the watchdog endpoints probed, and the
 * report delivered by SMTP to GreenMail; a failing step fails the run, is named in the report, and opens a P2.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SundayMaintenanceTest {
    static final String BUCKET = "maintenance-test";
    @TempDir
    static Path dir;
    S3MockServer s3mock;
    S3Client s3;
    MailCatcher mail;
    FakeHealth health;
    Engine engine;

    /**
     * The settings of an engine whose Sunday maintenance backs the trading tables up to {@code bucket}, mails its report
     * to {@code mail} and probes {@code health}'s trading API (also BackupRehearsalTest's).
     */
    static Map<String, String> settings(S3MockServer s3mock, String bucket, MailCatcher mail, FakeHealth health) {
        Map<String, String> props = new HashMap<>(s3mock.settings(bucket));
        props.put("runbook.notify.email.uri", mail.uri());
        props.put("runbook.notify.poll", "100ms");
        props.put("runbook.maintenance.report-to", "ops@example.com");
        props.put("runbook.trading.demo", "false");
        props.put("runbook.maintenance.backup-sources", "critical-tables");
        props.put("runbook.backup.source.critical-tables.type", "tables");
        props.put("runbook.backup.source.critical-tables.database", "trading");
        props.put("runbook.backup.source.critical-tables.tables", "followers,commission_monthly");
        props.put("runbook.maintenance.purge.batch-size", "500");
        props.put("runbook.watchdog.endpoints", "trading-api");
        props.put("runbook.watchdog.endpoint.trading-api.url", health.url("/trading/health"));
        props.put("runbook.watchdog.endpoint.trading-api.interval", "1h");
        return props;
    }

    @BeforeAll
    void start() throws Exception {
        s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
        s3 = s3mock.client();
        mail = new MailCatcher();
        health = new FakeHealth();
        Map<String, String> props = settings(s3mock, BUCKET, mail, health);
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        try (Connection c = trading().getConnection(); Statement s = c.createStatement()) {
            s.execute("insert into followers (id, name, email, commission_rate) values (1, 'Ava', 'ava@example.com', 0.1), (2, 'Liam', null, 0.2)");
        }
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        mail.close();
        health.close();
        s3.close();
        s3mock.close();
    }

    private DataSource trading() {
        return engine.context().getRegistry().lookupByNameAndType("trading", DataSource.class);
    }

    private void insertBars(int n, Duration age) throws Exception {
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).minus(age);
        try (Connection c = trading().getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume) values ('SPY', ?, 1, 2, 0.5, 1.5, 10)")) {
            for (int i = 0; i < n; i++) {
                ps.setObject(1, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private long bars() throws Exception {
        try (Connection c = trading().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from market_bars")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<String[]> steps(long run) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (Connection c = engine.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "select step, status, detail from maintenance_step where run_id = ? order by id")) {
            ps.setLong(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    private JsonNode incidents() throws Exception {
        return new ObjectMapper().readTree(TestEngine.get(engine, "/api/incidents").body());
    }

    @Test
    void backsUpPurgesChecksAndMailsTheReport() throws Exception {
        health.set("/trading/health", 200);
        long before = bars();
        insertBars(1200, Duration.ofDays(31));
        insertBars(7, Duration.ofDays(29));

        long run = engine.runner().runNow("sunday-maintenance", "manual", false);

        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
        List<String[]> steps = steps(run);
        assertThat(steps).extracting(s -> s[0] + ":" + s[1])
                .containsExactly("backup:succeeded", "purge:succeeded", "health-check:succeeded");
        assertThat(bars()).isEqualTo(before + 7);
        assertThat(steps.get(1)[2]).matches("1200 rows of market_bars older than \\S+ purged in 3 batches \\(largest 500\\)");

        // the export is a verified object in S3 holding the critical tables as JSON lines
        String key = steps.get(0)[2].substring(0, steps.get(0)[2].indexOf(' '));
        assertThat(key).matches("backups/critical-tables/\\d{4}/\\d{2}/\\d{2}/critical-tables-\\d{8}T\\d{6}Z\\.jsonl\\.gz");
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                s3.getObject(b -> b.bucket(BUCKET).key(key))), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(new ObjectMapper().readTree(line));
            }
        }
        assertThat(lines).extracting(n -> n.get("table").asText() + "/" + n.get("row").get("name").asText())
                .containsExactly("followers/Ava", "followers/Liam");
        assertThat(lines.get(1).get("row").get("email").isNull()).isTrue();

        String subject = "Sunday maintenance succeeded (run " + run + ")";
        assertThat(mail.message(subject).getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        String body = mail.body(subject);
        assertThat(body).containsPattern("backup +succeeded +\\d+ ms  " + java.util.regex.Pattern.quote(key) + " \\(\\d+ bytes, sha256 [0-9a-f]{64}\\)")
                .containsPattern("purge +succeeded +\\d+ ms  1200 rows of market_bars older than")
                .containsPattern("health-check +succeeded +\\d+ ms  trading-api UP \\d+ ms HTTP 200");
        // no open MaintenanceFailed: a succeeded run resolves the one an earlier failed run opened
        for (JsonNode i : incidents()) {
            if (i.get("key").asText().equals("MaintenanceFailed/sunday-maintenance")) {
                assertThat(i.get("status").asText()).isEqualTo("resolved");
            }
        }
    }

    @Test
    void aFailingStepIsReportedFailsTheRunAndOpensAP2WhileLaterStepsStillRun() throws Exception {
        health.set("/trading/health", 503);
        insertBars(3, Duration.ofDays(40));
        try {
            long run = engine.runner().runNow("sunday-maintenance", "manual", false);

            Map<String, Object> row = engine.runs().find(run).orElseThrow().json();
            assertThat(row).containsEntry("status", "failed");
            assertThat((String) row.get("error")).isEqualTo("IllegalStateException: maintenance step(s) failed: health-check");
            assertThat(steps(run)).extracting(s -> s[0] + ":" + s[1])
                    .containsExactly("backup:succeeded", "purge:succeeded", "health-check:failed");
            assertThat(steps(run).get(2)[2]).matches("trading-api DOWN \\d+ ms answered 503");

            String body = mail.body("Sunday maintenance FAILED at health-check (run " + run + ")");
            assertThat(body).containsPattern("health-check +failed +\\d+ ms  trading-api DOWN \\d+ ms answered 503")
                    .containsPattern("purge +succeeded +\\d+ ms  3 rows of market_bars");

            JsonNode p2 = null;
            for (JsonNode i : incidents()) {
                if (i.get("key").asText().equals("MaintenanceFailed/sunday-maintenance")) {
                    p2 = i;
                }
            }
            assertThat(p2).isNotNull();
            assertThat(p2.get("priority").asText()).isEqualTo("P2");
            assertThat(p2.get("title").asText()).isEqualTo("MaintenanceFailed: health-check");
            assertThat(p2.get("status").asText()).isEqualTo("open");
        } finally {
            health.set("/trading/health", 200);
        }
    }

    @Test
    void theShippedScheduleDeclaresTheSunday0200To0400UtcWindow() throws Exception {
        JsonNode window = null;
        for (JsonNode w : new ObjectMapper().readTree(TestEngine.get(engine, "/api/windows").body())) {
            if (w.get("job").asText().equals("sunday-maintenance") && !w.get("open").asBoolean()) {
                window = w;
            }
        }
        assertThat(window).isNotNull();
        java.time.ZonedDateTime start = java.time.Instant.parse(window.get("start").asText()).atZone(ZoneOffset.UTC);
        assertThat(start.getDayOfWeek()).isEqualTo(java.time.DayOfWeek.SUNDAY);
        assertThat(start.toLocalTime()).isEqualTo(java.time.LocalTime.of(2, 0));
        assertThat(java.time.Instant.parse(window.get("end").asText())).isEqualTo(start.toInstant().plus(Duration.ofHours(2)));
    }
}
