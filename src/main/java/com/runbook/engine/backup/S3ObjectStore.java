package com.runbook.engine.backup;

import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An S3-compatible bucket, through the AWS SDK client that camel-aws2-s3 builds from its configuration (endpoint
 * override, path-style, region, credentials). A body goes up as a multipart upload straight to its key: parts of a
 * fixed size are read into at most {@code uploadThreads + 1} buffers (so memory is bounded whatever the dump's
 * length) and sent by {@code uploadThreads} threads while the next part is read; the upload is completed only when
 * the body ended and the caller's check passed, otherwise aborted, so nothing appears under the key. A body shorter
 * than one part is a single PUT. Every part carries a SHA-256 checksum that the store checks on receipt; the stored
 * object's checksum (composite of the parts) is compared with them afterwards, which verifies the upload without
 * reading it back on stores that keep checksums. A store that does not implement S3's checksum headers (it answers
 * 501 NotImplemented, as s3proxy and older Ceph RGW do) gets the same upload without them: each part's MD5 is then
 * computed on a thread of its own while the part is sent, and compared with the part's ETag and the object's
 * (S3's MD5 of the parts' MD5s); the payload goes unsigned, as over HTTPS. When an ETag is not that MD5 (SSE-KMS, a
 * store with other ETags), the caller verifies by reading the object back ({@link Stored#checksumVerified()} false).
 */
class S3ObjectStore implements ObjectStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    private final S3Client s3;
    private final String bucket;
    private final int partSize;
    private final int uploadThreads;
    private final String sse;
    private final String kmsKeyId;
    /** Whether the store takes S3's SHA-256 checksum headers; false after its first 501 NotImplemented for them. */
    private volatile boolean checksums = true;

    /**
     * @param uploadThreads parts sent at the same time (each holds one part in memory, plus the one being read)
     * @param sse           empty for none, {@code AES256} or {@code aws:kms}
     * @param kmsKeyId      the KMS key for {@code aws:kms}, empty for the bucket's default key
     */
    public S3ObjectStore(S3Client s3, String bucket, int partSize, int uploadThreads, String sse, String kmsKeyId) {
        if (partSize < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("runbook.backup.s3.part-size must be at least 5 MiB (S3's minimum part), was " + partSize);
        }
        if (uploadThreads < 1) {
            throw new IllegalArgumentException("runbook.backup.s3.upload-threads must be at least 1, was " + uploadThreads);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.partSize = partSize;
        this.uploadThreads = uploadThreads;
        this.sse = sse == null ? "" : sse.trim();
        this.kmsKeyId = kmsKeyId == null ? "" : kmsKeyId.trim();
    }

    private ServerSideEncryption encryption() {
        return sse.isEmpty() ? null : ServerSideEncryption.fromValue(sse);
    }

    private String kmsKey() {
        return kmsKeyId.isEmpty() ? null : kmsKeyId;
    }

    private ChecksumAlgorithm checksum() {
        return checksums ? ChecksumAlgorithm.SHA256 : null;
    }

    /**
     * Runs {@code call} with the checksum headers while the store takes them; when it answers 501 NotImplemented to
     * them, remembers that (logged once) and runs it again without.
     */
    private <T> T withChecksumFallback(java.util.function.Supplier<T> call) {
        if (!checksums) {
            return call.get();
        }
        try {
            return call.get();
        } catch (S3Exception e) {
            if (e.statusCode() != 501) {
                throw e;
            }
            checksums = false;
            LOG.warn("{} does not implement S3's checksum headers ({}): uploading without them and verifying by reading back",
                    describe(), e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
            return call.get();
        }
    }

    /**
     * Sends a part as a plain body instead of the SDK's default "aws-chunked" encoding (a signature or checksum every
     * 128 KiB, or a trailing checksum). The checksum then goes in a header, computed from the buffer before sending,
     * which the buffer allows. Some S3-compatible servers decode aws-chunked a byte at a time: on S3Mock that decoding
     * was 96 % of the server's CPU and capped the upload near 28 MiB/s on two cores.
     * (Over plain HTTP the SDK also signs each part's payload, a SHA-256 of it that the store checks; over HTTPS it
     * does not, the payload being UNSIGNED-PAYLOAD there.)
     */
    static final SdkPlugin PLAIN_BODY = config -> {
        S3ServiceClientConfiguration.Builder s3 = (S3ServiceClientConfiguration.Builder) config;
        S3AuthSchemeProvider schemes = s3.authSchemeProvider();
        s3.authSchemeProvider(params -> schemes.resolveAuthScheme(params).stream()
                .map(o -> o.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, false).build()).toList());
    };

    /**
     * For a store without S3's checksum headers: the SDK adds none of its own (it would otherwise add a CRC32 header
     * to every upload, which such a store rejects with 501).
     */
    static final SdkPlugin NO_DEFAULT_CHECKSUMS = config -> ((S3ServiceClientConfiguration.Builder) config)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);

    /**
     * The overrides of an upload request: a plain body; when the store takes no checksums, no default checksum and an
     * unsigned payload (the parts are checked by their MD5 ETags instead).
     */
    private static void uploadOverrides(AwsRequestOverrideConfiguration.Builder o, ChecksumAlgorithm checksum) {
        o.addPlugin(PLAIN_BODY);
        if (checksum == null) {
            o.addPlugin(NO_DEFAULT_CHECKSUMS);
            o.addPlugin(UnsignedPayload.PLUGIN);
        }
    }

    /** The buffer as a request body, without copying it (the SDK re-opens it to hash it and for a retry). */
    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream");
    }

    @Override
    public Stored put(String key, InputStream in, BeforeCommit beforeCommit) throws Exception {
        byte[] buffer = new byte[partSize];
        int n = in.readNBytes(buffer, 0, partSize);
        if (n < partSize) {
            beforeCommit.check();
            byte[] whole = buffer;
            int length = n;
            PutObjectResponse r = withChecksumFallback(() -> s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key)
                    .serverSideEncryption(encryption()).ssekmsKeyId(kmsKey()).contentLength((long) length).checksumAlgorithm(checksum())
                    .overrideConfiguration(o -> uploadOverrides(o, checksum())).build(), body(whole, length)));
            if (r.checksumSHA256() != null) {
                return new Stored(n, r.checksumSHA256().equals(head(key).checksumSHA256()));
            }
            // no checksum kept: the store's MD5 ETag of the object against the MD5 of the buffer that was sent
            String md5 = hex(md5(whole, length));
            return new Stored(n, md5.equals(etag(r.eTag())) && md5.equals(etag(head(key).eTag())));
        }
        String uploadId = withChecksumFallback(() -> s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .serverSideEncryption(encryption()).ssekmsKeyId(kmsKey()).checksumAlgorithm(checksum()).build())).uploadId();
        ChecksumAlgorithm partChecksum = checksum();
        ExecutorService senders = Executors.newFixedThreadPool(uploadThreads, r -> {
            Thread t = new Thread(r, "s3-upload");
            t.setDaemon(true);
            return t;
        });
        // without S3's checksums, each part's MD5 is computed on a thread of its own while the part is being sent
        // (and the next one read): the store's ETags are then checked against them instead of reading the object back
        ExecutorService hasher = partChecksum == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "s3-upload-md5");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(uploadThreads + 2);
            int buffers = 1;
            List<Future<CompletedPart>> sent = new ArrayList<>();
            List<Future<byte[]>> md5s = new ArrayList<>();
            long size = 0;
            while (n > 0) {
                size += n;
                byte[] part = buffer;
                int length = n;
                // the buffer goes back to the free list once both its send and its MD5 are done with it
                AtomicInteger users = new AtomicInteger(hasher == null ? 1 : 2);
                Runnable release = () -> {
                    if (users.decrementAndGet() == 0) {
                        free.add(part);
                    }
                };
                if (hasher != null) {
                    md5s.add(hasher.submit(() -> {
                        try {
                            return md5(part, length);
                        } finally {
                            release.run();
                        }
                    }));
                }
                sent.add(sendPart(senders, release, key, uploadId, partChecksum, sent.size() + 1, part, length));
                buffer = free.poll();
                if (buffer == null && buffers <= uploadThreads) {
                    buffer = new byte[partSize];
                    buffers++;
                }
                while (buffer == null) {
                    failed(sent);
                    buffer = free.poll(100, TimeUnit.MILLISECONDS);
                }
                n = in.readNBytes(buffer, 0, partSize);
            }
            List<CompletedPart> parts = new ArrayList<>();
            for (Future<CompletedPart> f : sent) {
                parts.add(result(f));
            }
            List<byte[]> partMd5s = new ArrayList<>();
            for (Future<byte[]> f : md5s) {
                partMd5s.add(result(f));
            }
            beforeCommit.check();
            long t0 = System.nanoTime();
            String completedETag = complete(key, uploadId, parts, size);
            LOG.info("Completed the multipart upload of {} ({} parts) in {} ms", key, parts.size(), (System.nanoTime() - t0) / 1_000_000);
            if (partChecksum != null) {
                String expected = composite(parts);
                return new Stored(size, expected != null && expected.equals(head(key).checksumSHA256()));
            }
            String expected = compositeMd5(partMd5s);
            return new Stored(size, md5sMatch(parts, partMd5s) && objectMatches(expected, completedETag, head(key).eTag()));
        } catch (Exception e) {
            senders.shutdownNow();
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        } finally {
            senders.shutdown();
            if (hasher != null) {
                hasher.shutdownNow();
            }
        }
    }

    private Future<CompletedPart> sendPart(ExecutorService senders, Runnable release, String key, String uploadId,
                                           ChecksumAlgorithm checksum, int partNumber, byte[] buffer, int length) {
        return senders.submit(() -> {
            try {
                UploadPartResponse r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength((long) length).checksumAlgorithm(checksum).overrideConfiguration(o -> uploadOverrides(o, checksum)),
                        body(buffer, length));
                return CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).checksumSHA256(r.checksumSHA256()).build();
            } finally {
                release.run();
            }
        });
    }

    static byte[] md5(byte[] buffer, int length) {
        MessageDigest md5 = md5();
        md5.update(buffer, 0, length);
        return md5.digest();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** An ETag as S3 writes it (in double quotes), bare and in lower case; empty for none. */
    static String etag(String etag) {
        return etag == null ? "" : etag.replace("\"", "").trim().toLowerCase(Locale.ROOT);
    }

    /** Whether every part's ETag is the MD5 of the bytes sent for it (S3's ETag of a part without SSE-KMS/SSE-C). */
    static boolean md5sMatch(List<CompletedPart> parts, List<byte[]> md5s) {
        for (int i = 0; i < parts.size(); i++) {
            if (!hex(md5s.get(i)).equals(etag(parts.get(i).eTag()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the completed object is made of the parts whose MD5s give {@code expected}: its ETag says so, or (a store
     * that keeps the MD5 of the whole object as its ETag, as s3proxy does) the completion's answer said so.
     */
    static boolean objectMatches(String expected, String completedETag, String storedETag) {
        String stored = etag(storedETag);
        if (stored.contains("-")) {
            return stored.equals(expected);
        }
        return !stored.isEmpty() && completedETag != null && expected.equals(etag(completedETag));
    }

    /** S3's ETag of a multipart object: the MD5 of the parts' MD5s, a dash, the number of parts. */
    static String compositeMd5(List<byte[]> md5s) {
        MessageDigest md5 = md5();
        md5s.forEach(md5::update);
        return hex(md5.digest()) + "-" + md5s.size();
    }

    /** Throws the failure of any part already sent, so reading stops at the first failed part. */
    private static void failed(List<? extends Future<?>> sent) throws Exception {
        for (Future<?> f : sent) {
            if (f.isDone()) {
                result(f);
            }
        }
    }

    private static <T> T result(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Completes the upload. A slow store can make the SDK time out and retry a completion that did succeed, and the
     * retry then finds no upload: that case is a success when the object is there with the expected size (and the
     * answer's ETag is then unknown: null).
     */
    private String complete(String key, String uploadId, List<CompletedPart> parts, long size) {
        try {
            return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())).eTag();
        } catch (NoSuchUploadException e) {
            if (size(key).orElse(-1) != size) {
                throw e;
            }
            return null;
        }
    }

    /** S3's checksum of a multipart object: the SHA-256 of the parts' SHA-256s, null when a part has none. */
    static String composite(List<CompletedPart> parts) {
        MessageDigest sha = BackupService.sha256();
        for (CompletedPart p : parts) {
            if (p.checksumSHA256() == null) {
                return null;
            }
            sha.update(Base64.getDecoder().decode(p.checksumSHA256()));
        }
        return Base64.getEncoder().encodeToString(sha.digest()) + "-" + parts.size();
    }

    /** The object's metadata, with its SHA-256 checksum while the store keeps checksums. */
    private HeadObjectResponse head(String key) {
        if (checksums) {
            try {
                return s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            } catch (S3Exception e) {
                if (e.statusCode() != 501) {
                    throw e;
                }
            }
        }
        return s3.headObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public OptionalLong size(String key) {
        try {
            return OptionalLong.of(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return OptionalLong.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String key) {
        return withChecksumFallback(() -> s3.getObject(b -> b.bucket(bucket).key(key).overrideConfiguration(o -> {
            if (!checksums) {
                o.addPlugin(NO_DEFAULT_CHECKSUMS);
            }
        })));
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public List<String> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    @Override
    public String describe() {
        return "s3 bucket " + bucket;
    }

    @Override
    public String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public String kind() {
        return "s3";
    }
}
