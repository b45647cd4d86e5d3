package com.runbook.engine.backup;

import org.awaitility.Awaitility;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * s3proxy 2.6.0 (Apache jclouds behind an S3 API, in memory), a real S3-compatible server that does not implement
 * S3's checksum headers (it answers 501 NotImplemented to them, as older Ceph RGW does). Runs in its own JVM from the
 * jar the build copies to target/s3proxy (maven-dependency-plugin, process-test-resources), with SigV4 auth on.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "proxy-access";
    static final String SECRET_KEY = "proxy-secret";
    private final Process process;
    private final int port;

    S3ProxyServer(Path dir, String bucket) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient-nio2",
                "jclouds.identity=unused",
                "jclouds.credential=unused", ""));
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar");
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", jar.toAbsolutePath().toString(), "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** An AWS SDK client of this server that sends no checksum headers, for a test to look at what the engine stored. */
    S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))).build();
    }

    /** The engine settings that point the backup store at this server. */
    Map<String, String> settings(String bucket) {
        return Map.of("runbook.backup.store", "s3", "runbook.backup.s3.bucket", bucket,
                "runbook.backup.s3.endpoint", endpoint(), "runbook.backup.s3.path-style", "true",
                "runbook.backup.s3.region", "us-east-1", "runbook.backup.s3.access-key", ACCESS_KEY,
                "runbook.backup.s3.secret-key", SECRET_KEY);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
