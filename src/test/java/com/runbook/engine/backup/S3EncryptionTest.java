package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runbook.backup.s3.sse=AES256 against S3Mock. A single-PUT backup is stored with server-side encryption AES256, as
 * S3 reports it back on HEAD. A multipart upload asks for it where S3 takes it, on CreateMultipartUpload, and not on
 * the part and completion requests (S3 refuses the header there). S3Mock 4.7 takes a multipart object's encryption
 * from the completion request instead, so the multipart case is checked on the requests sent (which also shows
 * that parts go as plain bodies with their SHA-256 in a header).
 */
@Tag("db")
class S3EncryptionTest {
    static final String BUCKET = "sse-test";

    @TempDir
    Path dir;

    @Test
    void aSinglePutBackupIsStoredWithAes256() throws Exception {
        try (S3MockServer s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
             S3Client s3 = s3mock.client()) {
            Map<String, String> props = new HashMap<>(s3mock.settings(BUCKET));
            props.put("runbook.backup.s3.sse", "AES256");
            props.put("runbook.backup.sources", "runbooks");
            try (Engine engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props)) {
                long run = engine.runner().runNow("nightly-backup", "manual", false);
                assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
                BackupRecords records = engine.context().getRegistry().lookupByNameAndType("backups", BackupService.class).records();
                String key = records.newestVerified("runbooks").orElseThrow().key();
                assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            }
        }
    }

    @Test
    void aMultipartUploadAsksForAes256WhenItIsCreatedOnlyAndSendsPlainPartsWithTheirChecksum() throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        List<String> bodies = new CopyOnWriteArrayList<>();
        try (S3MockServer s3mock = new S3MockServer(dir.resolve("s3"), BUCKET);
             S3Client s3 = S3Requests.recordingClient(s3mock.endpoint(), "a", "b", request -> {
                 String operation = S3Requests.operation(request);
                 sent.add(operation + ":" + request.firstMatchingHeader("x-amz-server-side-encryption").orElse("-"));
                 if (operation.equals("part")) {
                     bodies.add(request.firstMatchingHeader("x-amz-content-sha256").orElse("-").startsWith("STREAMING")
                             + " " + request.firstMatchingHeader("x-amz-checksum-sha256").isPresent());
                 }
             })) {
            S3ObjectStore store = new S3ObjectStore(s3, BUCKET, 5 * 1024 * 1024, 2, "AES256", "");
            ObjectStore.Stored stored = store.put("backups/blob/x.bin", new ByteArrayInputStream(new byte[6 * 1024 * 1024]));
            assertThat(stored.size()).isEqualTo(6 * 1024 * 1024);
            assertThat(sent).filteredOn(s -> s.matches("(create|part|complete):.*"))
                    .containsExactlyInAnyOrder("create:AES256", "part:-", "part:-", "complete:-");
            // parts go as plain bodies (not aws-chunked) with their SHA-256 in a header, which the store checks
            assertThat(bodies).containsExactly("false true", "false true");
        }
    }
}
