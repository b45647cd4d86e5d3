package com.runbook.engine.http;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.alert.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slow or idle clients cannot starve the engine: half-sent requests are closed after the header timeout,
 * idle connections after the idle timeout, connections beyond the cap are closed at once, and meanwhile a webhook and
 * /health are answered.
 */
class SlowClientsTest {
    static final int HALF_SENT = 500;
    @TempDir
    Path dir;
    Engine engine;
    final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private Engine start(Map<String, String> limits) throws Exception {
        engine = TestEngine.start(dir.resolve("base"), dir.resolve("data"), limits);
        return engine;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", engine.port()), 5000);
        return s;
    }

    /** A request whose headers never end: what a slowloris client holds open. */
    private Socket halfSent() throws IOException {
        Socket s = connect();
        s.getOutputStream().write(("POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic")
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** True when the engine has closed the socket (end of stream or reset) within {@code wait}. */
    private static boolean closedByServer(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        try {
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private int webhook() throws Exception {
        return TestEngine.post(engine, "/webhooks/alertmanager", TestEngine.TOKEN, Payloads.alertmanager("firing",
                "fp-still-served", Map.of("alertname", "StillServed", "severity", "warning"))).statusCode();
    }

    @Test
    void halfSentRequestsDoNotStarveTheEngineAndAreClosedAfterTheHeaderTimeout() throws Exception {
        start(Map.of("runbook.http.header-timeout", "8s"));
        long opened = System.nanoTime();
        for (int i = 0; i < HALF_SENT; i++) {
            halfSent();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.door().openConnections() >= HALF_SENT);

        // while they are held: a normal webhook and /health are answered
        assertThat(webhook()).isEqualTo(202);
        assertThat(TestEngine.get(engine, "/health").statusCode()).isEqualTo(200);
        assertThat(TestEngine.incidents(engine, "StillServed")).hasSize(1);

        // each is closed by the engine once the header timeout has passed, and not before
        List<Socket> held = List.copyOf(sockets);
        assertThat(closedByServer(held.get(0), Duration.ofMillis(Math.max(0, 6000 - (System.nanoTime() - opened) / 1_000_000))))
                .as("closed before the header timeout").isFalse();
        for (Socket s : held) {
            assertThat(closedByServer(s, Duration.ofSeconds(20))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.door().openConnections() < 5);
    }

    @Test
    void aLaterRequestOnAKeepAliveConnectionWhoseHeadersComeSlowlyIsClosedAfterTheHeaderTimeout() throws Exception {
        start(Map.of("runbook.http.header-timeout", "2s", "runbook.http.idle-timeout", "30s"));
        Socket s = connect();
        s.setSoTimeout(10_000);
        // a complete first request, with a body, answered on the connection that stays open
        String body = Payloads.alertmanager("firing", "fp-keep-alive", Map.of("alertname", "KeepAlive", "severity", "warning"));
        s.getOutputStream().write(("POST /webhooks/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + TestEngine.TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        assertThat(readResponseHead(s.getInputStream())).startsWith("HTTP/1.1 202");
        // the idle connection is not closed by the header timeout: only the idle timeout applies between requests
        assertThat(closedByServer(s, Duration.ofSeconds(3))).as("an idle keep-alive connection is kept").isFalse();

        // a second request whose headers trickle in, a byte every 200 ms (never idle), never ending
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            byte[] head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .getBytes(StandardCharsets.US_ASCII);
            AtomicInteger sent = new AtomicInteger();
            long t0 = System.nanoTime();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    int i = sent.getAndIncrement();
                    if (i < head.length) {
                        s.getOutputStream().write(head[i]);
                        s.getOutputStream().flush();
                    }
                } catch (IOException closed) {
                    throw new IllegalStateException(closed);   // ends the trickle
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            // meanwhile a webhook on another connection is served
            assertThat(webhook()).isEqualTo(202);
            assertThat(closedByServer(s, Duration.ofSeconds(10))).as("closed at the header timeout").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
            assertThat(sent.get()).as("still sending when closed").isLessThan(head.length);
        } finally {
            trickle.shutdownNow();
        }
    }

    /** Reads one response's status line and headers (up to the empty line). */
    private static String readResponseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(Map.of("runbook.http.idle-timeout", "2s"));
        Socket s = connect();
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        byte[] head = s.getInputStream().readNBytes(12);
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

        long t0 = System.nanoTime();
        assertThat(closedByServer(s, Duration.ofSeconds(15))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndTheEngineServesAgainWhenTheyGo() throws Exception {
        start(Map.of("runbook.http.max-connections", "50", "runbook.http.header-timeout", "30s"));
        for (int i = 0; i < 50; i++) {
            halfSent();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.door().openConnections() == 50);

        Socket beyond = connect();
        assertThat(closedByServer(beyond, Duration.ofSeconds(5))).as("closed at once").isTrue();
        assertThat(engine.door().refusedConnections()).isEqualTo(1);

        for (Socket s : sockets) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.door().openConnections() == 0);
        assertThat(webhook()).isEqualTo(202);
        assertThat(TestEngine.get(engine, "/health").statusCode()).isEqualTo(200);
    }
}
