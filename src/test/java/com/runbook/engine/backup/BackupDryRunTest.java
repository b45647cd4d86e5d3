package com.runbook.engine.backup;

import com.runbook.engine.RecordingIncidents;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.store.Database;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backup beans in a dry run (the run's plan is the thread's current {@link DryRun}): nothing is dumped, uploaded,
 * recorded or deleted, and the plan says what a real run does; the same calls outside a dry run do it.
 */
class BackupDryRunTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    @TempDir
    Path dir;
    JdbcDataSource ds;
    LocalObjectStore store;
    BackupRecords records;
    RecordingIncidents incidents = new RecordingIncidents();
    Path ran;

    @BeforeEach
    void setUp() {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Database.migrate(ds);
        store = new LocalObjectStore(dir.resolve("store"));
        records = new BackupRecords(ds);
        ran = dir.resolve("the-dump-ran");
    }

    @AfterEach
    void leaveTheDryRun() {
        DryRun.enter(null);
    }

    /** A source whose dump leaves a mark: a dry run must not run it. */
    private BackupService service(int daily, int weekly) {
        CommandSource db = new CommandSource("db", List.of("sh", "-c", "touch " + ran + " && echo dump"), "dump", dir);
        return new BackupService(Map.of("db", db), store, records, () -> incidents, "P2", daily, weekly, false,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private String forge(String at) throws Exception {
        Instant t = Instant.parse(at);
        String key = BackupKeys.key("db", t, "dump");
        store.put(key, new ByteArrayInputStream(new byte[] {1, 2, 3}));
        records.insert("db", key, store.describe(), 3, "00", t, 1);
        return key;
    }

    private Map<String, List<String>> tables() throws Exception {
        return TableSnapshot.of(ds, Set.of());
    }

    @Test
    void aDryRunPlansTheUploadAndTheRetentionDeletesAndChangesNothing() throws Exception {
        String today = forge("2026-11-26T02:00:00Z");
        String older = forge("2026-11-20T02:00:00Z");
        BackupService backups = service(1, 0);
        Map<String, List<String>> before = tables();
        DryRun plan = new DryRun(42);
        DryRun.enter(plan);

        Map<String, Object> outcome = backups.backup("db", 42);
        backups.requireSuccess(List.of(outcome));
        List<Map<String, Object>> deletions = backups.applyRetention(42, List.of(outcome));

        String key = "backups/db/2026/11/26/db-20261126T120000Z.dump";
        assertThat(outcome).isEqualTo(Map.of("source", "db", "status", "planned", "key", key));
        // the planned copy is the newest of the day: a real run would then delete the earlier one of today too
        assertThat(deletions).extracting(d -> d.get("key") + " " + d.get("deleted"))
                .containsExactlyInAnyOrder(today + " false", older + " false");
        assertThat(plan.effects()).extracting(DryRun.Effect::kind).containsExactly("file", "file", "file");
        assertThat(plan.effects().get(0).effect()).isEqualTo("upload " + dir.resolve("store").resolve(key)
                + " (backup of db, verified by size and SHA-256, recorded in backup_object)");
        assertThat(plan.effects().subList(1, 3)).extracting(DryRun.Effect::effect).containsExactlyInAnyOrder(
                "delete " + dir.resolve("store").resolve(today) + " (retention)",
                "delete " + dir.resolve("store").resolve(older) + " (retention)");
        assertThat(Files.exists(ran)).as("the dump command ran").isFalse();
        assertThat(store.list("backups/db/")).containsExactlyInAnyOrder(today, older);
        assertThat(tables()).isEqualTo(before);
    }

    @Test
    void aDryRunChecksThatTheDatabaseAnswersAndFailsTheBackupAsTheRealRunWouldWhenItDoesNot() throws Exception {
        JdbcDataSource missing = new JdbcDataSource();
        missing.setURL("jdbc:h2:" + dir.resolve("no-such-db") + ";IFEXISTS=TRUE");
        BackupService backups = new BackupService(Map.of("gone", new H2Source("gone", missing, dir)), store, records,
                () -> incidents, "P2", 1, 0, false, Clock.fixed(NOW, ZoneOffset.UTC));
        DryRun plan = new DryRun(45);
        DryRun.enter(plan);

        Map<String, Object> outcome = backups.backup("gone", 45);

        assertThat(outcome).containsEntry("status", "failed");
        assertThat((String) outcome.get("error")).contains("no-such-db").contains("not found");
        assertThat(plan.effects()).isEmpty();
        // the incident service gets the raise (in a dry run the dry-run module's plans it)
        assertThat(incidents.raised).extracting(RecordingIncidents.Raised::key).containsExactly("BackupFailed/gone");
        assertThat(store.list("backups/")).isEmpty();
    }

    @Test
    void theRunLogsOneLinePerSourceOutcome() {
        BackupService backups = service(1, 0);
        assertThat(backups.summary(List.of(
                Map.of("source", "db", "status", "succeeded", "key", "backups/db/x.dump", "size", 1234),
                Map.of("source", "files", "status", "planned", "key", "backups/files/y.zip"),
                Map.of("source", "pg", "status", "failed", "error", "pg_dump: connection refused"))))
                .isEqualTo("db succeeded: backups/db/x.dump (1234 bytes); files planned: backups/files/y.zip;"
                        + " pg failed: pg_dump: connection refused");
        assertThat(backups.summary(List.of())).isEqualTo("no backup source configured");
    }

    @Test
    void theSameCallsOutsideADryRunDoWhatThePlanSaid() throws Exception {
        String today = forge("2026-11-26T02:00:00Z");
        String older = forge("2026-11-20T02:00:00Z");
        BackupService backups = service(1, 0);

        Map<String, Object> outcome = backups.backup("db", 43);
        backups.requireSuccess(List.of(outcome));
        List<Map<String, Object>> deletions = backups.applyRetention(43, List.of(outcome));

        String key = "backups/db/2026/11/26/db-20261126T120000Z.dump";
        assertThat(outcome).containsEntry("status", "succeeded").containsEntry("key", key);
        assertThat(deletions).extracting(d -> d.get("key") + " " + d.get("deleted"))
                .containsExactlyInAnyOrder(today + " true", older + " true");
        assertThat(Files.exists(ran)).isTrue();
        assertThat(store.list("backups/db/")).containsExactly(key);
        assertThat(incidents.resolved).containsExactly("BackupFailed/db");
    }

    @Test
    void aDryRunOfTheMaintenanceBackupAndPurgeKeepsItsStepsOutOfTheDatabaseAndReportsThem() throws Exception {
        JdbcDataSource trading = new JdbcDataSource();
        trading.setURL("jdbc:h2:mem:trading-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;NON_KEYWORDS=YEAR,MONTH");
        Database.migrate(trading, "classpath:db/trading", "flyway_trading_history");
        try (var c = trading.getConnection(); var s = c.createStatement()) {
            s.execute("insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume)"
                    + " select 'SPY', timestamp with time zone '2026-10-01 00:00:00+00', 1, 2, 0.5, 1.5, 10 from system_range(1, 1200)");
        }
        MarketDataPurge purge = new MarketDataPurge(() -> trading, "market_bars", "bar_time", "id", Duration.ofDays(30), 500,
                Clock.fixed(NOW, ZoneOffset.UTC));
        RecordingNotifier mail = new RecordingNotifier();
        Maintenance maintenance = new Maintenance(service(1, 0), List.of("db"), purge, List::of, () -> mail,
                () -> incidents, "ops@example.com", "P2", Clock.fixed(NOW, ZoneOffset.UTC));
        Map<String, List<String>> before = tables();
        Map<String, List<String>> tradingBefore = TableSnapshot.of(trading, Set.of());
        DryRun plan = new DryRun(44);
        DryRun.enter(plan);

        maintenance.backup(44);
        maintenance.purge(44);
        maintenance.healthCheck(44);
        String report = maintenance.report(44);

        assertThat(plan.effects()).extracting(DryRun.Effect::effect).containsExactly(
                "upload " + dir.resolve("store").resolve("backups/db/2026/11/26/db-20261126T120000Z.dump")
                        + " (backup of db, verified by size and SHA-256, recorded in backup_object)",
                "DELETE 1200 rows of market_bars where bar_time < 2026-10-27T12:00:00Z (purge, 3 batches of at most 500)");
        assertThat(report).contains("Sunday maintenance succeeded (run 44)")
                .containsPattern("backup +succeeded +\\d+ ms  backups/db/2026/11/26/db-20261126T120000Z.dump \\(planned\\)")
                .containsPattern("purge +succeeded +\\d+ ms  1200 rows of market_bars older than 2026-10-27T12:00:00Z would be purged in 3 batches \\(dry run\\)");
        assertThat(mail.sent).singleElement().asString().startsWith("email ops@example.com Sunday maintenance succeeded (run 44)");
        assertThat(tables()).isEqualTo(before);
        assertThat(TableSnapshot.of(trading, Set.of())).isEqualTo(tradingBefore);
        assertThat(Files.exists(ran)).isFalse();
    }
}
