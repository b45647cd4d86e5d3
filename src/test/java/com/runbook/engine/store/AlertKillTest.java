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
        return start(base, data, port, Map.of());
    }

    /** {@code db}: the engine database's settings (runbook.db.url, .user, .password); empty: the shipped H2 URL. */
    private Process start(Path base, Path data, int port, Map<String, String> db) throws Exception {
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
        if (!db.isEmpty()) {
            env.put("RUNBOOK_DB_URL", db.get("runbook.db.url"));
            env.put("RUNBOOK_DB_USER", db.get("runbook.db.user"));
            env.put("RUNBOOK_DB_PASSWORD", db.get("runbook.db.password"));
        }
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

    /** The incident of an acknowledged alert, as the database holds it: its id and its pages' channels. */
    record Paged(long incident, List<String> channels) {
    }

    /**
     * Per acknowledged fingerprint (incident key {@code KillProbe/<fingerprint>}): its incident and the channels of
     * the incident's opening page ({@code incident-<id>-open-<target>}), read straight from the database.
     */
    private static Map<String, Paged> incidents(Connection c) throws Exception {
        Map<Long, Paged> byId = new java.util.HashMap<>();
        Map<String, Paged> found = new java.util.HashMap<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select incident_key, id from incident where incident_key like 'KillProbe/%'")) {
                while (rs.next()) {
                    Paged p = new Paged(rs.getLong(2), new ArrayList<>());
                    found.put(rs.getString(1).substring("KillProbe/".length()), p);
                    byId.put(p.incident(), p);
                }
            }
            // incident-<id>-open-<target>: the opening page of incident <id> on one channel
            try (ResultSet rs = s.executeQuery("select idempotency_key, channel from notification"
                    + " where idempotency_key like 'incident-%-open-%'")) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    long id = Long.parseLong(key.substring("incident-".length(), key.indexOf("-open-")));
                    Paged p = byId.get(id);
                    if (p != null) {
                        p.channels().add(rs.getString(2));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Every acknowledged alert is, after a SIGKILL at a random moment and after the restart that follows, an incident
     * with its page on each channel of its priority (critical: P1, telegram + email + Pub/Sub; warning: P3, email), on
     * the shipped H2 URL and (tag db, with RUNBOOK_TEST_POSTGRES) on PostgreSQL: the alert, its incident and its
     * pages are committed together before the 2xx (issue 25 kept that promise while making the path cheaper).
     */
    @Test
    @org.junit.jupiter.api.Tag("db")
    void everyAcknowledgedAlertIsAnIncidentWithItsPagesAfterSigkillAndRestart() throws Exception {
        Map<String, String> db = TestEngine.databaseProperties();
        Path base = base();
        Path data = dir.resolve("paged");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        List<String> perKill = new ArrayList<>();
        for (int kill = 0; kill < 3; kill++) {
            int port = TestEngine.freePort();
            engine = start(base, data, port, db);
            if (kill > 0) {   // after the restart, the engine itself answers for what the last process acknowledged
                checkPaged(db, data, acked, "after restart " + kill);
                engine.destroyForcibly().waitFor();
                engine = start(base, data, port, db);
            }
            AtomicBoolean sending = new AtomicBoolean(true);
            ExecutorService senders = Executors.newFixedThreadPool(4);
            int target = acked.size() + 500 + random.nextInt(1500);
            for (int t = 0; t < 4; t++) {
                senders.submit(() -> {
                    while (sending.get()) {
                        List<Map<String, Object>> alerts = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            int n = next.incrementAndGet();
                            String fp = "kill-" + n;
                            alerts.add(Payloads.alert("firing", fp, Map.of("alertname", "KillProbe", "instance", fp,
                                    "severity", n % 2 == 0 ? "critical" : "warning")));
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
            perKill.add("kill " + (kill + 1) + ": " + checkPaged(db, data, acked, "after kill " + (kill + 1)));
        }
        System.out.println("alert kill test, incidents and pages (" + (db.isEmpty() ? "H2 default URL" : "PostgreSQL")
                + "): " + perKill);
    }

    /** Checks that every acknowledged alert has its incident and its pages; H2 is read while no engine runs. */
    private String checkPaged(Map<String, String> db, Path data, Set<String> acked, String when) throws Exception {
        boolean h2 = db.isEmpty();
        if (h2 && engine != null && engine.isAlive()) {
            engine.destroyForcibly().waitFor();   // the H2 file is the engine's while it runs
        }
        Map<String, Paged> found;
        try (Connection c = h2
                ? DriverManager.getConnection("jdbc:h2:file:" + data.resolve("runbook") + ";ACCESS_MODE_DATA=r", "sa", "")
                : DriverManager.getConnection(db.get("runbook.db.url"), db.get("runbook.db.user"), db.get("runbook.db.password"))) {
            found = incidents(c);
        }
        List<String> missing = new ArrayList<>();
        for (String fp : acked) {
            Paged p = found.get(fp);
            int n = Integer.parseInt(fp.substring("kill-".length()));
            List<String> expected = n % 2 == 0 ? List.of("email", "pubsub:incident-notifications", "telegram")
                    : List.of("email");
            if (p == null || !p.channels().stream().sorted().toList().equals(expected)) {
                missing.add(fp + (p == null ? " (no incident)" : " (pages " + p.channels() + ")"));
            }
        }
        assertThat(missing).as("acknowledged alerts without their incident and pages %s (%d acknowledged)", when,
                acked.size()).isEmpty();
        return acked.size() + " acknowledged, each an incident with its pages";
    }
}
