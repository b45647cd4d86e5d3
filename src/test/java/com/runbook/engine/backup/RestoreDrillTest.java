package com.runbook.engine.backup;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.RunTrigger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped backup-restore-drill runbook against the real PostgreSQL (scratch database, pg_restore), H2
 * (RUNSCRIPT into memory) and S3Mock, with the real outbox (GreenMail) and incident service (GET /api/incidents).
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreDrillTest {
    static final String BUCKET = "drill-test";
    @TempDir
    static Path dir;
    S3MockServer s3mock;
    S3Client s3;
    MailCatcher mail;
    String trading;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
        s3 = s3mock.client();
        mail = new MailCatcher();
        trading = Pg.createTradingDatabase("drill_trading", 5000);
        Map<String, String> props = new HashMap<>(s3mock.settings(BUCKET));
        props.put("runbook.notify.email.uri", mail.uri());
        props.put("runbook.notify.poll", "100ms");
        props.put("runbook.backup.drill.report-to", "dba@example.com");
        props.put("runbook.backup.sources", "engine-db,runbooks,trading");
        props.put("runbook.backup.source.trading.url", Pg.url(trading));
        props.put("runbook.backup.source.trading.user", "rb");
        props.put("runbook.backup.source.trading.password", "rb");
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        long backup = engine.runner().runNow("nightly-backup", "manual", false);
        assertThat(engine.runs().find(backup).orElseThrow().json()).containsEntry("status", "succeeded");
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        mail.close();
        s3.close();
        s3mock.close();
        Pg.dropDatabase(trading);
    }

    private Map<String, Object> drill(Map<String, Object> params) {
        long run = engine.runner().start("backup-restore-drill", RunTrigger.MANUAL, params, Actor.engine("test"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().json().get("status")));
        return engine.runs().find(run).orElseThrow().json();
    }

    private long scratchDatabases() throws Exception {
        try (Connection c = Pg.connect("rb"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_database where datname like 'drill\\_%' and datname not like 'drill\\_trading%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private JsonNode incident(String key) throws Exception {
        for (JsonNode i : new ObjectMapper().readTree(TestEngine.get(engine, "/api/incidents").body())) {
            if (i.get("key").asText().equals(key)) {
                return i;
            }
        }
        return null;
    }

    @Test
    @Order(0)
    void aDryRunChecksTheDownloadedBackupAndPlansThePostgresRestoreInsteadOfCreatingTheScratchDatabase() throws Exception {
        Rehearsals rehearsals = Rehearsals.of(engine);

        com.runbook.engine.core.RunEnd dry = rehearsals.dryRun("backup-restore-drill", Map.of("source", "trading"));

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(com.runbook.engine.core.RunStatus.SUCCEEDED);
        assertThat((String) dry.result()).contains("trading: OK (backups/trading/")
                .contains("checksum verified; the restore into a scratch database is planned (dry run)");
        assertThat(rehearsals.plan(dry.id())).filteredOn(e -> e.kind().equals("sql")).singleElement()
                .satisfies(e -> assertThat(e.effect()).matches("restore backups/trading/\\S+\\.dump into a scratch database on"
                        + " 127\\.0\\.0\\.1:5432 \\(pg_restore\\), compare its row counts with trading, drop it"));
        assertThat(scratchDatabases()).isZero();
        // the dry-run module's part: the outbox plans the mail of the result instead of queueing it
        assertThat(rehearsals.plan(dry.id())).anySatisfy(e -> assertThat(e.effect()).contains("dba@example.com")
                .contains("Restore drill succeeded: trading (run " + dry.id() + ")"));
    }

    @Test
    @Order(1)
    void restoresThePostgresDumpIntoAScratchDatabaseAndMatchesTheRowCounts() throws Exception {
        Map<String, Object> run = drill(Map.of("source", "trading"));

        assertThat(run).containsEntry("status", "succeeded");
        String body = mail.body("Restore drill succeeded: trading (run " + run.get("id") + ")");
        assertThat(body).contains("trading: OK (backups/trading/")
                .contains("2 tables restored, row counts equal to live")
                .containsPattern("(?m)^trades +5000 +5000$").containsPattern("(?m)^followers +37 +37$");
        assertThat(scratchDatabases()).isZero();
        assertThat(incident("RestoreDrillFailed/trading")).isNull();
    }

    @Test
    @Order(2)
    void withoutASourceDrillsEveryDatabaseSourceIncludingTheH2EngineDatabase() throws Exception {
        Map<String, Object> run = drill(Map.of());

        assertThat(run).containsEntry("status", "succeeded");
        String body = mail.body("Restore drill succeeded: engine-db, trading (run " + run.get("id") + ")");
        assertThat(body).contains("engine-db: OK (backups/engine-db/").contains("trading: OK (backups/trading/")
                .containsPattern("(?m)^(?i)job_run +\\d+ +\\d+ \\*$");
        assertThat(body).doesNotContain("runbooks:");
    }

    @Test
    @Order(3)
    void aTamperedObjectFailsTheDrillMailsTheFailureAndOpensAP2() throws Exception {
        String key = engine.context().getRegistry().lookupByNameAndType("backups", BackupService.class).records()
                .newestVerified("trading").orElseThrow().key();
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("not a dump"));

        Map<String, Object> run = drill(Map.of("source", "trading"));

        assertThat(run).containsEntry("status", "failed");
        assertThat((String) run.get("error")).matches("IllegalStateException: restore drill failed for trading \\(checksum mismatch for "
                + java.util.regex.Pattern.quote(key) + ": sha256 [0-9a-f]{64}, recorded [0-9a-f]{64}\\)");
        assertThat(mail.body("Restore drill FAILED: trading (run " + run.get("id") + ")")).contains("checksum mismatch for " + key);
        JsonNode p2 = incident("RestoreDrillFailed/trading");
        assertThat(p2).isNotNull();
        assertThat(p2.get("priority").asText()).isEqualTo("P2");
        assertThat(p2.get("title").asText()).isEqualTo("RestoreDrillFailed: trading");
    }

    @Test
    @Order(4)
    void aDumpThatPgRestoreRejectsFailsTheDrillAndDropsTheScratchDatabase() throws Exception {
        String key = engine.context().getRegistry().lookupByNameAndType("backups", BackupService.class).records()
                .newestVerified("trading").orElseThrow().key();
        byte[] garbage = "PGDMP but not really a dump".getBytes();
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(garbage));
        try (Connection c = engine.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "update backup_object set sha256 = ?, size_bytes = ? where object_key = ?")) {
            ps.setString(1, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(garbage)));
            ps.setLong(2, garbage.length);
            ps.setString(3, key);
            ps.executeUpdate();
        }

        Map<String, Object> run = drill(Map.of("source", "trading"));

        assertThat(run).containsEntry("status", "failed");
        assertThat((String) run.get("error")).startsWith("IllegalStateException: restore drill failed for trading (pg_restore exited with 1: ");
        assertThat(scratchDatabases()).isZero();
        assertThat(mail.body("Restore drill FAILED: trading (run " + run.get("id") + ")")).contains("pg_restore exited with 1");
    }

    @Test
    @Order(5)
    void aSourceThatIsNotADatabaseIsRefusedWithTheReason() {
        Map<String, Object> run = drill(Map.of("source", "runbooks"));

        assertThat(run).containsEntry("status", "failed");
        assertThat((String) run.get("error")).isEqualTo("IllegalStateException: restore drill failed for runbooks"
                + " (source runbooks is not a database (only postgres, h2 and engine sources can be restored))");
    }
}
