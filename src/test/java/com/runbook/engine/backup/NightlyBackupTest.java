package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.RecordingIncidents;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped nightly-backup runbook through the engine, against a real S3 server (S3Mock, the AWS SDK inside
 * camel-aws2-s3) and the real PostgreSQL: dumps, keys, checksums, rows, and a pg_restore round trip.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NightlyBackupTest {
    static final String BUCKET = "backups-test";
    @TempDir
    static Path dir;
    S3MockServer s3mock;
    S3Client s3;
    String trading;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
        s3 = s3mock.client();
        trading = Pg.createTradingDatabase("bk_trading", 20000);
        Map<String, String> props = new HashMap<>(s3mock.settings(BUCKET));
        props.put("runbook.backup.sources", "engine-db,runbooks,trading,blob");
        // 12 MiB of random bytes: a multipart upload of three 5 MiB parts (the last one short)
        props.put("runbook.backup.source.blob.type", "command");
        props.put("runbook.backup.source.blob.command", "head -c 12582912 /dev/urandom");
        props.put("runbook.backup.source.trading.url", Pg.url(trading));
        props.put("runbook.backup.source.trading.user", "rb");
        props.put("runbook.backup.source.trading.password", "rb");
        props.put("runbook.backup.s3.part-size", Integer.toString(5 * 1024 * 1024));
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        engine = TestEngine.start(base, dir.resolve("data"), props);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        s3.close();
        s3mock.close();
        Pg.dropDatabase(trading);
    }

    private List<Map<String, Object>> rows() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = engine.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select source, object_key, size_bytes, sha256, verified from backup_object order by id")) {
            while (rs.next()) {
                rows.add(Map.of("source", rs.getString(1), "key", rs.getString(2), "size", rs.getLong(3),
                        "sha256", rs.getString(4), "verified", rs.getBoolean(5)));
            }
        }
        return rows;
    }

    private String sha256(String key) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(s3.getObject(b -> b.bucket(BUCKET).key(key)), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void backsUpEverySourceToDatedVerifiedKeysAndTheDumpRestores() throws Exception {
        long run = engine.runner().runNow("nightly-backup", "manual", false);

        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
        List<Map<String, Object>> rows = rows();
        assertThat(rows).extracting(r -> r.get("source")).containsExactly("engine-db", "runbooks", "trading", "blob");
        String day = LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/');
        // the engine database is dumped by pg_dump when the tests run it on PostgreSQL, by H2's SCRIPT otherwise
        Map<String, String> extensions = Map.of("engine-db", TestEngine.onPostgres() ? "dump" : "sql.gz", "runbooks", "zip",
                "trading", "dump", "blob", "bin");
        List<String> inBucket = s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
        for (Map<String, Object> row : rows) {
            String source = (String) row.get("source");
            String key = (String) row.get("key");
            assertThat(key).matches("backups/" + source + "/" + day + "/" + source + "-\\d{8}T\\d{6}Z\\." + extensions.get(source).replace(".", "\\."));
            assertThat(row.get("verified")).isEqualTo(true);
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).contentLength()).isEqualTo(row.get("size"));
            assertThat(sha256(key)).isEqualTo(row.get("sha256"));
            assertThat(inBucket).contains(key);
        }
        assertThat(inBucket).noneMatch(k -> k.startsWith("incoming/"));
        assertThat(BackupFailureTest.incidents(engine)).noneMatch(i -> i.get("key").asText().startsWith("BackupFailed/"));

        // the runbook archive holds the shipped files
        String zipKey = (String) rows.get(1).get("key");
        List<String> entries = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(s3.getObject(b -> b.bucket(BUCKET).key(zipKey)))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.add(e.getName());
            }
        }
        assertThat(entries).contains("routes/nightly-backup.camel.yaml", "schedules/nightly-backup.yaml");

        // round trip: pg_restore the dump into a fresh database and compare row counts
        String dumpKey = (String) rows.get(2).get("key");
        assertThat(rows.get(3).get("size")).isEqualTo(12582912L);
        Path dump = dir.resolve("trading.dump");
        s3.getObject(b -> b.bucket(BUCKET).key(dumpKey), ResponseTransformer.toFile(dump));
        String restored = Pg.createDatabase("bk_restored");
        try {
            ProcessBuilder pb = new ProcessBuilder("pg_restore", "--no-owner", "--no-password", "--host=127.0.0.1",
                    "--username=rb", "--dbname=" + restored, dump.toString()).redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", "rb");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(Pg.count(restored, "trades")).isEqualTo(Pg.count(trading, "trades")).isEqualTo(20000);
            assertThat(Pg.count(restored, "followers")).isEqualTo(37);
        } finally {
            Pg.dropDatabase(restored);
        }
    }
}
