package com.runbook.engine.backup;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * An S3-compatible bucket, through the AWS SDK client that camel-aws2-s3 builds from its configuration (endpoint
 * override, path-style, region, credentials). Bodies go up as a multipart upload with a fixed part size, so at most
 * one part is ever in memory whatever the dump's length; a body shorter than one part is a single PUT.
 */
public class S3ObjectStore implements ObjectStore {
    /** S3 refuses a single CopyObject above 5 GiB; larger objects are copied part by part. */
    static final long MAX_SINGLE_COPY = 5L * 1024 * 1024 * 1024;
    private static final long COPY_PART = 1024L * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final int partSize;
    private final String sse;
    private final String kmsKeyId;

    /**
     * @param sse      empty for none, {@code AES256} or {@code aws:kms}
     * @param kmsKeyId the KMS key for {@code aws:kms}, empty for the bucket's default key
     */
    public S3ObjectStore(S3Client s3, String bucket, int partSize, String sse, String kmsKeyId) {
        if (partSize < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("runbook.backup.s3.part-size must be at least 5 MiB (S3's minimum part), was " + partSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.partSize = partSize;
        this.sse = sse == null ? "" : sse.trim();
        this.kmsKeyId = kmsKeyId == null ? "" : kmsKeyId.trim();
    }

    private ServerSideEncryption encryption() {
        return sse.isEmpty() ? null : ServerSideEncryption.fromValue(sse);
    }

    private String kmsKey() {
        return kmsKeyId.isEmpty() ? null : kmsKeyId;
    }

    @Override
    public void put(String key, InputStream in) throws IOException {
        byte[] part = new byte[partSize];
        int n = in.readNBytes(part, 0, partSize);
        if (n < partSize) {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).serverSideEncryption(encryption())
                    .ssekmsKeyId(kmsKey()).contentLength((long) n).build(),
                    RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, n), n));
            return;
        }
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .serverSideEncryption(encryption()).ssekmsKeyId(kmsKey()).build()).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            while (n > 0) {
                int partNumber = number++;
                int length = n;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength((long) length), RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, length), length)).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                n = in.readNBytes(part, 0, partSize);
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (IOException | RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private void abort(String key, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
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
        return s3.getObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public void copy(String from, String to) throws IOException {
        long size = size(from).orElseThrow(() -> new IOException("no object " + from + " to copy"));
        if (size <= MAX_SINGLE_COPY) {
            s3.copyObject(CopyObjectRequest.builder().sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                    .destinationKey(to).serverSideEncryption(encryption()).ssekmsKeyId(kmsKey()).build());
            return;
        }
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(to)
                .serverSideEncryption(encryption()).ssekmsKeyId(kmsKey()).build()).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long start = 0; start < size; start += COPY_PART) {
                int partNumber = number++;
                String range = "bytes=" + start + "-" + (Math.min(size, start + COPY_PART) - 1);
                String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                        .destinationKey(to).uploadId(uploadId).partNumber(partNumber).copySourceRange(range))
                        .copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (RuntimeException e) {
            abort(to, uploadId, e);
            throw e;
        }
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
}
