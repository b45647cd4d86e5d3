package com.runbook.engine.backup;

import com.adobe.testing.s3mock.S3MockApplication;

import java.nio.file.Path;
import java.util.Map;

/** Adobe S3Mock, a real S3-compatible HTTP server, started inside the test JVM on a free loopback port. */
final class S3MockServer implements AutoCloseable {
    private final S3MockApplication app;

    S3MockServer(Path root, String bucket) {
        // Spring Boot must leave the test JVM's logging alone: its "silent" set the root level to WARN for every test
        // after this one (a run's log then lost its runbooks' own lines); log4j2-test.xml quiets Spring and Tomcat
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        app = S3MockApplication.start(new java.util.HashMap<>(Map.of(
                S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT,
                S3MockApplication.PROP_INITIAL_BUCKETS, bucket,
                S3MockApplication.PROP_ROOT_DIRECTORY, root.toString(),
                S3MockApplication.PROP_SILENT, true,
                "server.address", "127.0.0.1",
                // S3Mock's own application.properties is shadowed by the engine's on the class path: its keys here
                "com.adobe.testing.s3mock.region", "us-east-1",
                "spring.jmx.enabled", "false",
                "server.tomcat.max-swallow-size", "10MB",
                // the engine's own libraries on the test class path must not wake Spring Boot's auto-configuration
                "spring.autoconfigure.exclude", String.join(",",
                        "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
                        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
                        "org.springframework.boot.autoconfigure.freemarker.FreeMarkerAutoConfiguration",
                        "org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration"))));
    }

    String endpoint() {
        return "http://127.0.0.1:" + app.getHttpPort();
    }

    /** An AWS SDK client of this server, for a test to look at what the engine stored. */
    software.amazon.awssdk.services.s3.S3Client client() {
        return software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(java.net.URI.create(endpoint()))
                .forcePathStyle(true).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b"))).build();
    }

    /** The engine settings that point the backup store at this server. */
    Map<String, String> settings(String bucket) {
        return Map.of("runbook.backup.store", "s3", "runbook.backup.s3.bucket", bucket,
                "runbook.backup.s3.endpoint", endpoint(), "runbook.backup.s3.path-style", "true",
                "runbook.backup.s3.region", "us-east-1", "runbook.backup.s3.access-key", "test-access",
                "runbook.backup.s3.secret-key", "test-secret");
    }

    @Override
    public void close() {
        app.stop();
    }
}
