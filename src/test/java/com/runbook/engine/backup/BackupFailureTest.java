package com.runbook.engine.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup that cannot finish marks the run failed, keeps no object and opens a P2 "BackupFailed" incident. */
@Tag("db")
class BackupFailureTest {
    @TempDir
    Path dir;

    private Engine start(Map<String, String> props) throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        return TestEngine.start(base, dir.resolve("data"), props);
    }

    /** The incidents the real incident service recorded, through its API. */
    static List<JsonNode> incidents(Engine engine) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(TestEngine.get(engine, "/api/incidents").body()).forEach(out::add);
        return out;
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
        Map<String, String> props = new HashMap<>();
        props.put("runbook.backup.sources", "trading");
        props.put("runbook.backup.source.trading.url", Pg.url("rb"));
        props.put("runbook.backup.source.trading.user", "rb");
        props.put("runbook.backup.source.trading.password", "wrong-password");
        try (Engine engine = start(props)) {
            long run = engine.runner().runNow("nightly-backup", "manual", false);

            Map<String, Object> row = engine.runs().find(run).orElseThrow().json();
            assertThat(row).containsEntry("status", "failed");
            assertThat((String) row.get("error")).startsWith("IllegalStateException: backup failed for trading (pg_dump exited with 1: ")
                    .contains("password authentication failed for user \"rb\"");
            try (Stream<Path> files = Files.walk(dir.resolve("data/objects"))) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
            assertThat(backupRows(engine)).isZero();
            assertThat(incidents(engine)).singleElement().satisfies(i -> {
                assertThat(i.get("key").asText()).isEqualTo("BackupFailed/trading");
                assertThat(i.get("priority").asText()).isEqualTo("P2");
                assertThat(i.get("status").asText()).isEqualTo("open");
                assertThat(i.get("title").asText()).isEqualTo("BackupFailed: trading");
                assertThat(i.get("detail").asText()).startsWith("The backup of trading failed in run " + run + ": pg_dump exited with 1: ");
            });
        }
    }

    @Test
    void anUnreachableS3StoreFailsTheRunAndOpensTheIncident() throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("runbook.backup.store", "s3");
        props.put("runbook.backup.s3.bucket", "backups");
        props.put("runbook.backup.s3.endpoint", "http://127.0.0.1:" + TestEngine.freePort());
        props.put("runbook.backup.s3.path-style", "true");
        props.put("runbook.backup.s3.access-key", "a");
        props.put("runbook.backup.s3.secret-key", "b");
        props.put("runbook.backup.sources", "runbooks");
        try (Engine engine = start(props)) {
            long run = engine.runner().runNow("nightly-backup", "manual", false);

            Map<String, Object> row = engine.runs().find(run).orElseThrow().json();
            assertThat(row).containsEntry("status", "failed");
            assertThat((String) row.get("error")).startsWith("IllegalStateException: backup failed for runbooks (Unable to execute HTTP request");
            assertThat(backupRows(engine)).isZero();
            assertThat(incidents(engine)).extracting(i -> i.get("key").asText(), i -> i.get("priority").asText())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("BackupFailed/runbooks", "P2"));
        }
    }

    @Test
    void aDumpThatDiesAfterSeveralPartsLeavesNothingInTheBucket() throws Exception {
        Path script = Files.writeString(dir.resolve("dies.sh"), "head -c 12582912 /dev/zero\necho 'disk gone' >&2\nexit 3\n");
        try (S3MockServer s3mock = new S3MockServer(dir.resolve("s3"), "dies");
             software.amazon.awssdk.services.s3.S3Client s3 = s3mock.client()) {
            Map<String, String> props = new HashMap<>(s3mock.settings("dies"));
            props.put("runbook.backup.s3.part-size", Integer.toString(5 * 1024 * 1024));
            props.put("runbook.backup.sources", "blob");
            props.put("runbook.backup.source.blob.type", "command");
            props.put("runbook.backup.source.blob.command", "sh " + script);
            try (Engine engine = start(props)) {
                long run = engine.runner().runNow("nightly-backup", "manual", false);

                Map<String, Object> row = engine.runs().find(run).orElseThrow().json();
                assertThat(row).containsEntry("status", "failed");
                assertThat((String) row.get("error")).isEqualTo("IllegalStateException: backup failed for blob (sh exited with 3: disk gone)");
                assertThat(s3.listObjectsV2(b -> b.bucket("dies")).contents()).isEmpty();
                assertThat(s3.listMultipartUploads(b -> b.bucket("dies")).uploads()).isEmpty();
                assertThat(backupRows(engine)).isZero();
                assertThat(incidents(engine)).extracting(i -> i.get("key").asText()).containsExactly("BackupFailed/blob");
            }
        }
    }
}
