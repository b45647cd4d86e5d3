package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runbook.backup.s3.sse=AES256 against S3Mock: the single-PUT and the multipart object are both stored under their
 * final key with server-side encryption AES256, as S3 reports it back on HEAD.
 */
@Tag("db")
class S3EncryptionTest {
    static final String BUCKET = "sse-test";
    @TempDir
    Path dir;

    @Test
    void everyBackupObjectIsStoredWithAes256() throws Exception {
        try (S3MockServer s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
             S3Client s3 = s3mock.client()) {
            Map<String, String> props = new HashMap<>(s3mock.settings(BUCKET));
            props.put("runbook.backup.s3.sse", "AES256");
            props.put("runbook.backup.s3.part-size", Integer.toString(5 * 1024 * 1024));
            props.put("runbook.backup.sources", "runbooks,blob");
            props.put("runbook.backup.source.blob.type", "command");
            props.put("runbook.backup.source.blob.command", "head -c 6291456 /dev/urandom");
            try (Engine engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props)) {
                long run = engine.runner().runNow("nightly-backup", "manual", false);
                assertThat(engine.runs().find(run).orElseThrow()).containsEntry("status", "succeeded");
                BackupRecords records = engine.context().getRegistry().lookupByNameAndType("backups", BackupService.class).records();
                for (String source : List.of("runbooks", "blob")) {
                    String key = records.newestVerified(source).orElseThrow().key();
                    assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).serverSideEncryption())
                            .as(key).isEqualTo(ServerSideEncryption.AES256);
                }
            }
        }
    }
}
