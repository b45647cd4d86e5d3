package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.RecordingIncidents;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup that cannot finish marks the run failed, keeps no object and opens a P2 "BackupFailed" incident. */
@Tag("db")
class BackupFailureTest {
    @TempDir
    Path dir;

    private Engine start(Map<String, String> props, RecordingIncidents incidents) throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        return TestEngine.start(base, dir.resolve("data"), props, Map.of("incidents", incidents));
    }

    private static long backupRows(Engine engine) throws Exception {
        try (Connection c = engine.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from backup_object")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void pgDumpWithBadCredentialsFailsTheRunWithoutAnObject() throws Exception {
        RecordingIncidents incidents = new RecordingIncidents();
        Map<String, String> props = new HashMap<>();
        props.put("runbook.backup.sources", "trading");
        props.put("runbook.backup.source.trading.url", Pg.url("rb"));
        props.put("runbook.backup.source.trading.user", "rb");
        props.put("runbook.backup.source.trading.password", "wrong-password");
        try (Engine engine = start(props, incidents)) {
            long run = engine.runner().runNow("nightly-backup", "manual", false);

            Map<String, Object> row = engine.runs().find(run).orElseThrow();
            assertThat(row).containsEntry("status", "failed");
            assertThat((String) row.get("error")).startsWith("IllegalStateException: backup failed for trading (pg_dump exited with 1: ")
                    .contains("password authentication failed for user \"rb\"");
            try (Stream<Path> files = Files.walk(dir.resolve("data/objects"))) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
            assertThat(backupRows(engine)).isZero();
            assertThat(incidents.raised).singleElement().satisfies(i -> {
                assertThat(i.key()).isEqualTo("BackupFailed/trading");
                assertThat(i.priority()).isEqualTo("P2");
                assertThat(i.title()).isEqualTo("BackupFailed: trading");
                assertThat(i.labels()).containsEntry("alertname", "BackupFailed").containsEntry("source", "trading");
            });
        }
    }

    @Test
    void anUnreachableS3StoreFailsTheRunAndOpensTheIncident() throws Exception {
        RecordingIncidents incidents = new RecordingIncidents();
        Map<String, String> props = new HashMap<>();
        props.put("runbook.backup.store", "s3");
        props.put("runbook.backup.s3.bucket", "backups");
        props.put("runbook.backup.s3.endpoint", "http://127.0.0.1:" + TestEngine.freePort());
        props.put("runbook.backup.s3.path-style", "true");
        props.put("runbook.backup.s3.access-key", "a");
        props.put("runbook.backup.s3.secret-key", "b");
        props.put("runbook.backup.sources", "runbooks");
        try (Engine engine = start(props, incidents)) {
            long run = engine.runner().runNow("nightly-backup", "manual", false);

            Map<String, Object> row = engine.runs().find(run).orElseThrow();
            assertThat(row).containsEntry("status", "failed");
            assertThat((String) row.get("error")).startsWith("IllegalStateException: backup failed for runbooks (Unable to execute HTTP request");
            assertThat(backupRows(engine)).isZero();
            assertThat(incidents.raised).extracting(RecordingIncidents.Raised::key, RecordingIncidents.Raised::priority)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("BackupFailed/runbooks", "P2"));
        }
    }
}
