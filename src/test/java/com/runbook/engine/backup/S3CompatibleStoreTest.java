package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups to an S3-compatible store that does not implement S3's checksum headers (s3proxy, a real server): the
 * first request that carries them gets 501 NotImplemented, after which the store sends none (not even the SDK's
 * default CRC32), sends the parts with an unsigned payload, and verifies them by the store's MD5 ETags (of each part,
 * then of the object), computed beside the upload instead of reading the object back.
 */
@Tag("db")
class S3CompatibleStoreTest {
    static final String BUCKET = "compat-test";

    @TempDir
    Path dir;

    @Test
    void theNightlyBackupStoresAndVerifiesSinglePutAndMultipartObjects() throws Exception {
        try (S3ProxyServer proxy = new S3ProxyServer(dir.resolve("s3proxy"), BUCKET); S3Client s3 = proxy.client()) {
            Map<String, String> props = new HashMap<>(proxy.settings(BUCKET));
            props.put("runbook.backup.sources", "runbooks,blob");
            // 12 MiB of random bytes: a multipart upload of three 5 MiB parts (the last one short)
            props.put("runbook.backup.source.blob.type", "command");
            props.put("runbook.backup.source.blob.command", "head -c 12582912 /dev/urandom");
            props.put("runbook.backup.s3.part-size", Integer.toString(5 * 1024 * 1024));
            try (Engine engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props)) {
                long run = engine.runner().runNow("nightly-backup", "manual", false);
                assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
                BackupRecords records = engine.context().getRegistry().lookupByNameAndType("backups", BackupService.class).records();
                for (String source : List.of("runbooks", "blob")) {
                    BackupRecords.StoredObject o = records.newestVerified(source).orElseThrow();
                    try (InputStream in = s3.getObject(b -> b.bucket(BUCKET).key(o.key()))) {
                        byte[] body = in.readAllBytes();
                        assertThat(body.length).as(source).isEqualTo(o.size());
                        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))).as(source).isEqualTo(o.sha256());
                    }
                }
                assertThat(records.newestVerified("blob").orElseThrow().size()).isEqualTo(12582912);
            }
        }
    }

    @Test
    void afterTheFirst501TheStoreSendsNoChecksumHeadersAndVerifiesByTheStoresMd5ETags() throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        try (S3ProxyServer proxy = new S3ProxyServer(dir.resolve("s3proxy"), BUCKET);
             // the SDK's defaults (which add a CRC32 header), unlike proxy.client(): the store must drop them itself
             S3Client s3 = S3Requests.recordingClient(proxy.endpoint(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY,
                     request -> {
                         boolean checksums = request.headers().keySet().stream().anyMatch(h -> h.toLowerCase().startsWith("x-amz-checksum")
                                 || h.toLowerCase().startsWith("x-amz-sdk-checksum"));
                         String operation = S3Requests.operation(request);
                         boolean unsigned = (operation.equals("part") || operation.equals("PUT"))
                                 && request.firstMatchingHeader("x-amz-content-sha256").filter("UNSIGNED-PAYLOAD"::equals).isPresent();
                         sent.add(operation + (checksums ? "+checksum" : "") + (unsigned ? "+unsigned" : ""));
                     })) {
            S3ObjectStore store = new S3ObjectStore(s3, BUCKET, 5 * 1024 * 1024, 2, "", "");
            byte[] body = new byte[6 * 1024 * 1024];
            new Random(5).nextBytes(body);
            ObjectStore.Stored stored = store.put("backups/blob/a.bin", new ByteArrayInputStream(body));
            // verified by the store's MD5 ETags (of each part, then of the object), computed beside the upload
            assertThat(stored).isEqualTo(new ObjectStore.Stored(body.length, true));
            // the rejected create, then the same upload without checksum headers, its parts unsigned (checked by their
            // MD5 ETags), and the object's ETag read
            assertThat(sent).containsExactly("create+checksum", "create", "part+unsigned", "part+unsigned", "complete", "HEAD");
            sent.clear();
            assertThat(store.put("backups/blob/b.bin", new ByteArrayInputStream(body, 0, 1024))).isEqualTo(new ObjectStore.Stored(1024, true));
            assertThat(sent).containsExactly("PUT+unsigned", "HEAD");
            try (InputStream in = store.open("backups/blob/a.bin")) {
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
        }
    }

    @Test
    void anETagThatIsNotTheMd5OfWhatWasSentLeavesVerificationToAReadBack() {
        List<byte[]> md5s = List.of(S3ObjectStore.md5(new byte[] {1}, 1), S3ObjectStore.md5(new byte[] {2}, 1));
        String composite = S3ObjectStore.compositeMd5(md5s);
        String quoted = "\"" + composite + "\"";
        List<CompletedPart> parts = List.of(part(1, md5s.get(0)), part(2, md5s.get(1)));
        assertThat(S3ObjectStore.md5sMatch(parts, md5s)).isTrue();
        assertThat(S3ObjectStore.md5sMatch(List.of(parts.get(0), parts.get(0)), md5s)).as("a part's ETag differs").isFalse();
        assertThat(S3ObjectStore.objectMatches(composite, quoted, quoted)).isTrue();
        // a store whose object ETag is the MD5 of the whole object (s3proxy): the completion's answer names the parts
        assertThat(S3ObjectStore.objectMatches(composite, quoted, "\"45ba927d7fea4a762c82a4bf4c8ba07f\"")).isTrue();
        assertThat(S3ObjectStore.objectMatches(composite, null, "\"45ba927d7fea4a762c82a4bf4c8ba07f\"")).isFalse();
        assertThat(S3ObjectStore.objectMatches(composite, quoted, "\"45ba927d7fea4a762c82a4bf4c8ba07f-2\"")).isFalse();
        assertThat(S3ObjectStore.objectMatches(composite, "\"45ba927d7fea4a762c82a4bf4c8ba07f-2\"", "\"45ba927d\"")).isFalse();
        assertThat(S3ObjectStore.objectMatches(composite, quoted, null)).isFalse();
    }

    private static CompletedPart part(int n, byte[] md5) {
        return CompletedPart.builder().partNumber(n).eTag("\"" + HexFormat.of().formatHex(md5) + "\"").build();
    }
}
