package com.runbook.engine.alert;

import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a loopback port, without gossip, whose one
 * receiver posts to the engine's webhook with a bearer token; group_wait and group_interval 1s.
 */
public final class RealAlertmanager implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private final Process process;
    private final int port;

    public RealAlertmanager(Path dir, String webhookUrl, String token) throws Exception {
        this(dir, webhookUrl, token, "1s");
    }

    /** With another group_interval: how long a notification it could not deliver waits at most for its next send. */
    public RealAlertmanager(Path dir, String webhookUrl, String token, String groupInterval) throws Exception {
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: engine
                  group_by: ['alertname']
                  group_wait: 1s
                  group_interval: %s
                  repeat_interval: 1h
                receivers:
                  - name: engine
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials: %s
                """.formatted(groupInterval, webhookUrl, token));
        port = TestEngine.freePort();
        process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("storage"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> CLIENT.send(
                HttpRequest.newBuilder(URI.create(url() + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
    }

    /** Skips the calling test when the binary is missing (.ci/run installs it). */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "prometheus-alertmanager is not installed at " + BINARY
                + " (.ci/run installs it: apt-get install prometheus-alertmanager)");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** POSTs alerts (a JSON array in the v2 API's shape) to Alertmanager's own ingest API. */
    public int post(String alertsJson) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
