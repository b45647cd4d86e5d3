package com.runbook.engine.store;

import com.runbook.engine.TestEngine;
import com.runbook.engine.alert.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An alert answered 2xx is never lost, on the shipped H2 default URL (WRITE_DELAY=0, the engine's own compaction
 * and the rbheader: fix of H2's store header, issue 20): the engine, started as `runbook run` in a process of its own,
 * takes webhooks from 4 concurrent senders and is killed with SIGKILL at a random moment, KILLS times on one data
 * folder, and twice on each of FRESH_FOLDERS fresh ones; after each kill every alert it had acknowledged is in
 * alert_event.
 */
class AlertKillTest {
    static final int KILLS = 5;
    static final int FRESH_FOLDERS = 3;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir
    Path dir;
    Process engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null && engine.isAlive()) {
            engine.destroyForcibly().waitFor();
        }
    }

    private Process start(Path base, Path data, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "com.runbook.engine.cli.RunbookCli", "run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("engine.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("RUNBOOK_HOME", base.toString());
        env.put("RUNBOOK_DATA_DIR", data.toString());
        env.put("RUNBOOK_PORT", Integer.toString(port));
        env.put("RUNBOOK_HOST", "127.0.0.1");
        env.put("RUNBOOK_API_TOKEN", TestEngine.TOKEN);
        env.remove("RUNBOOK_DB_URL");
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> !p.isAlive() || CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        assertThat(p.isAlive()).as("engine started (see %s)", dir.resolve("engine.log")).isTrue();
        return p;
    }

    private static int post(int port, String body) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/alertmanager"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TestEngine.TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;   // killed mid-request: not acknowledged
        }
    }

    private static Set<String> stored(Path data) throws Exception {
        Set<String> found = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("runbook") + ";ACCESS_MODE_DATA=r",
                "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select fingerprint from alert_event")) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        return found;
    }

    /**
     * Starts the engine on {@code data}, sends alerts from 4 senders until {@code from} to {@code from + spread}
     * more are acknowledged, kills it with SIGKILL and checks that every alert acknowledged so far is stored.
     */
    private String loadAndKill(Path base, Path data, Set<String> acked, AtomicInteger next, int from, int spread)
            throws Exception {
        int port = TestEngine.freePort();
        engine = start(base, data, port);
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        int target = acked.size() + from + random.nextInt(spread);
        for (int t = 0; t < 4; t++) {
            senders.submit(() -> {
                while (sending.get()) {
                    List<Map<String, Object>> alerts = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        String fp = "kill-" + next.incrementAndGet();
                        alerts.add(Payloads.alert("firing", fp, Map.of("alertname", "KillProbe", "instance", fp)));
                    }
                    if (post(port, Payloads.alertmanager(alerts)) / 100 == 2) {
                        alerts.forEach(a -> acked.add((String) a.get("fingerprint")));
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(180)).until(() -> acked.size() >= target);
        engine.destroyForcibly().waitFor();
        sending.set(false);
        senders.shutdown();
        assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        Set<String> stored = stored(data);
        List<String> lost = acked.stream().filter(fp -> !stored.contains(fp)).sorted().toList();
        assertThat(lost).as("acknowledged alerts missing after a kill (%d acknowledged)", acked.size()).isEmpty();
        return acked.size() + " acknowledged, " + lost.size() + " lost";
    }

    private final Random random = new Random();

    private Path base() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        return base;
    }

    @Test
    void everyAcknowledgedAlertSurvivesSigkillOnTheShippedH2Url() throws Exception {
        Path base = base();
        Path data = dir.resolve("data");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        List<String> perKill = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            // a random moment 3,000 to 10,000 alerts into this process's load (several seconds, so that the engine's
            // compaction is rewriting and moving chunks when the kill lands)
            perKill.add("kill " + (kill + 1) + ": " + loadAndKill(base, data, acked, next, 3000, 7000));
        }
        System.out.println("alert kill test (H2 default URL): " + perKill);
    }

    /**
     * The case that once reopened an empty database (every row gone, runs and check-ins too): a fresh data folder,
     * killed within seconds of its first start, then restarted and killed again. FRESH_FOLDERS folders, two kills each.
     */
    @Test
    void aFreshDataFolderKilledSoonAfterItsFirstStartKeepsEveryAcknowledgedAlert() throws Exception {
        Path base = base();
        AtomicInteger next = new AtomicInteger();
        List<String> perKill = new ArrayList<>();
        for (int folder = 0; folder < FRESH_FOLDERS; folder++) {
            Path data = dir.resolve("fresh-" + folder);
            Set<String> acked = ConcurrentHashMap.newKeySet();
            perKill.add("folder " + (folder + 1) + " first start: " + loadAndKill(base, data, acked, next, 500, 5000));
            perKill.add("folder " + (folder + 1) + " restart: " + loadAndKill(base, data, acked, next, 500, 3000));
        }
        System.out.println("alert kill test, fresh data folders (H2 default URL): " + perKill);
    }
}
