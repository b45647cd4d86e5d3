package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dry runs of the shipped nightly-backup and sunday-maintenance runbooks with their real neighbours (S3Mock, GreenMail
 * through the real outbox, the engine's and the trading database): a dry run leaves the bucket, the mail server and
 * every table but the run's own rows exactly as before, and its plan lists the effects the real run, started right
 * after it, then has (uploads, retention deletes, the purge, the report).
 * <p>The assertions marked "the dry-run module's part" are about its outbox and incident service (which plan instead
 * of acting); the others about the backup beans' own dry-run handling.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupRehearsalTest {
    static final String BUCKET = "rehearsal-test";
    static final Pattern UPLOAD = Pattern.compile("upload s3://" + BUCKET + "/(\\S+) \\(backup of ([^,]+),.*");
    static final Pattern DELETE = Pattern.compile("delete s3://" + BUCKET + "/(\\S+) \\(retention\\)");
    @TempDir
    static Path dir;
    S3MockServer s3mock;
    S3Client s3;
    MailCatcher mail;
    FakeHealth health;
    Engine engine;
    Rehearsals rehearsals;

    @BeforeAll
    void start() throws Exception {
        s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
        s3 = s3mock.client();
        mail = new MailCatcher();
        health = new FakeHealth();
        Map<String, String> props = SundayMaintenanceTest.settings(s3mock, BUCKET, mail, health);
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // no scheduled fire during a comparison: the watchdog's ticks would change its state and take its lock
        java.nio.file.Files.delete(base.resolve("schedules/health-watchdog.yaml"));
        engine = TestEngine.start(base, dir.resolve("data"), props);
        rehearsals = Rehearsals.of(engine);
        try (Connection c = trading().getConnection(); Statement s = c.createStatement()) {
            s.execute("insert into followers (id, name, email, commission_rate) values (1, 'Ava', 'ava@example.com', 0.1)");
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

    /** Every object in the bucket with its ETag. */
    private Map<String, String> bucket() {
        Map<String, String> objects = new TreeMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
            objects.put(o.key(), o.eTag());
        }
        return objects;
    }

    /** A verified backup of {@code source} taken {@code daysAgo} days ago, in the bucket and in backup_object. */
    private String forgeBackup(String source, int daysAgo) throws Exception {
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(daysAgo)).minus(Duration.ofHours(1));
        String key = BackupKeys.key(source, at, "zip");
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("old copy " + daysAgo));
        try (Connection c = engine.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into backup_object (source, object_key, store, size_bytes, sha256, created_at, verified, run_id)"
                        + " values (?, ?, 's3', 10, '00', ?, true, 0)")) {
            ps.setString(1, source);
            ps.setString(2, key);
            ps.setTimestamp(3, Timestamp.from(at));
            ps.executeUpdate();
        }
        return key;
    }

    /** A key with its time stamp blanked: the real run's keys are taken at another second. */
    private static String undated(String key) {
        return key.replaceAll("\\d{8}T\\d{6}Z", "<time>");
    }

    private static List<String> matching(List<DryRun.Effect> plan, Pattern p, int group) {
        List<String> out = new ArrayList<>();
        for (DryRun.Effect e : plan) {
            Matcher m = p.matcher(e.effect());
            if (m.matches()) {
                assertThat(e.kind()).isEqualTo("s3");
                out.add(m.group(group));
            }
        }
        return out;
    }

    private long notifications() throws Exception {
        try (Connection c = engine.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from notification")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long bars() throws Exception {
        try (Connection c = trading().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from market_bars")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aDryRunOfTheNightlyBackupChangesNothingAndPlansTheUploadsAndRetentionDeletesTheRealRunThenDoes() throws Exception {
        List<String> old = new ArrayList<>();
        for (int d = 1; d <= 40; d += 3) {
            old.add(forgeBackup("runbooks", d));
        }
        Map<String, String> bucketBefore = bucket();
        Map<String, List<String>> tablesBefore = TableSnapshot.exceptRuns(engine.dataSource(), "notification");
        Map<String, List<String>> tradingBefore = TableSnapshot.exceptRuns(trading());
        int mailBefore = mail.count();

        RunEnd dry = rehearsals.dryRun("nightly-backup", Map.of());

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(bucket()).isEqualTo(bucketBefore);
        Rehearsals.assertUnchanged("the engine database", tablesBefore, TableSnapshot.exceptRuns(engine.dataSource(), "notification"));
        Rehearsals.assertUnchanged("the trading database", tradingBefore, TableSnapshot.exceptRuns(trading()));
        assertThat(engine.runs().find(dry.id()).orElseThrow().json()).containsEntry("trigger", "dry-run");
        List<DryRun.Effect> plan = rehearsals.plan(dry.id());
        List<String> plannedUploads = matching(plan, UPLOAD, 1);
        List<String> plannedDeletes = matching(plan, DELETE, 1);
        assertThat(plannedUploads).extracting(k -> k.replaceAll("/.*", "/")).containsExactly("backups/", "backups/");
        assertThat(matching(plan, UPLOAD, 2)).containsExactly("engine-db", "runbooks");
        assertThat(plannedDeletes).isNotEmpty().allMatch(old::contains);

        RunEnd real = rehearsals.realRun("nightly-backup", Map.of());

        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        Map<String, String> after = bucket();
        List<String> uploaded = after.keySet().stream().filter(k -> !bucketBefore.containsKey(k)).toList();
        List<String> deleted = bucketBefore.keySet().stream().filter(k -> !after.containsKey(k)).toList();
        assertThat(uploaded).extracting(BackupRehearsalTest::undated)
                .containsExactlyInAnyOrderElementsOf(plannedUploads.stream().map(BackupRehearsalTest::undated).toList());
        assertThat(deleted).containsExactlyInAnyOrderElementsOf(plannedDeletes);

        // the dry-run module's part: the incident service plans the resolve of BackupFailed instead of doing it,
        // and nothing else in the plan than what is above and those
        assertThat(mail.count()).isEqualTo(mailBefore);
        assertThat(plan).filteredOn(e -> !UPLOAD.matcher(e.effect()).matches() && !DELETE.matcher(e.effect()).matches())
                .allSatisfy(e -> assertThat(e.effect()).contains("BackupFailed/"));
    }

    @Test
    void aDryRunOfTheSundayMaintenanceChangesNothingAndPlansTheExportPurgeAndReportTheRealRunThenDoes() throws Exception {
        health.set("/trading/health", 200);
        OffsetDateTime old = OffsetDateTime.now(ZoneOffset.UTC).minusDays(31);
        try (Connection c = trading().getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume) values ('SPY', ?, 1, 2, 0.5, 1.5, 10)")) {
            for (int i = 0; i < 1200; i++) {
                ps.setObject(1, i < 1190 ? old : old.plusDays(5));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Map<String, String> bucketBefore = bucket();
        Map<String, List<String>> tablesBefore = TableSnapshot.exceptRuns(engine.dataSource(), "notification");
        Map<String, List<String>> tradingBefore = TableSnapshot.exceptRuns(trading());
        long outboxBefore = notifications();
        long barsBefore = bars();
        int mailBefore = mail.count();

        RunEnd dry = rehearsals.dryRun("sunday-maintenance", Map.of());

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(bucket()).isEqualTo(bucketBefore);
        Rehearsals.assertUnchanged("the engine database", tablesBefore, TableSnapshot.exceptRuns(engine.dataSource(), "notification"));
        Rehearsals.assertUnchanged("the trading database", tradingBefore, TableSnapshot.exceptRuns(trading()));
        List<DryRun.Effect> plan = rehearsals.plan(dry.id());
        List<String> plannedUploads = matching(plan, UPLOAD, 1);
        assertThat(matching(plan, UPLOAD, 2)).containsExactly("critical-tables");
        List<String> purge = plan.stream().filter(e -> e.kind().equals("sql")).map(DryRun.Effect::effect).toList();
        assertThat(purge).singleElement().asString()
                .matches("DELETE 1190 rows of market_bars where bar_time < \\S+ \\(purge, 3 batches of at most 500\\)");

        RunEnd real = rehearsals.realRun("sunday-maintenance", Map.of());

        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        Map<String, String> after = bucket();
        assertThat(after.keySet().stream().filter(k -> !bucketBefore.containsKey(k)).map(BackupRehearsalTest::undated).toList())
                .containsExactlyElementsOf(plannedUploads.stream().map(BackupRehearsalTest::undated).toList());
        assertThat(bars()).isEqualTo(barsBefore - 1190);
        String realSubject = "Sunday maintenance succeeded (run " + real.id() + ")";
        assertThat(mail.message(realSubject).getAllRecipients()[0].toString()).isEqualTo("ops@example.com");

        // the dry-run module's part: the outbox plans the report instead of queueing it
        assertThat(mail.subjects()).doesNotContain("Sunday maintenance succeeded (run " + dry.id() + ")");
        assertThat(mail.count()).isEqualTo(mailBefore + 1);
        assertThat(notifications()).isEqualTo(outboxBefore + 1);
        assertThat(plan).anySatisfy(e -> assertThat(e.effect()).contains("ops@example.com")
                .contains("Sunday maintenance succeeded (run " + dry.id() + ")"));
    }
}
