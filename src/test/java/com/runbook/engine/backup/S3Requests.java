package com.runbook.engine.backup;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.function.Consumer;

/** For tests that look at the requests an {@link S3ObjectStore} sends: a client that shows them, and their names. */
final class S3Requests {
    private S3Requests() {
    }

    /**
     * A client of the server at {@code endpoint}, with the SDK's own defaults (checksums included), that hands every
     * request to {@code recorder} just before it is sent.
     */
    static S3Client recordingClient(String endpoint, String accessKey, String secretKey, Consumer<SdkHttpRequest> recorder) {
        ExecutionInterceptor interceptor = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                recorder.accept(context.httpRequest());
            }
        };
        return S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();
    }

    /** {@code create}, {@code part} or {@code complete} for the steps of a multipart upload, else the HTTP method. */
    static String operation(SdkHttpRequest request) {
        String query = request.encodedQueryParameters().orElse("");
        String method = request.method().name();
        return query.startsWith("uploads") ? "create" : query.contains("partNumber") ? "part"
                : query.startsWith("uploadId") && method.equals("POST") ? "complete" : method;
    }
}
