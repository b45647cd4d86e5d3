package com.runbook.engine.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.TestEngine;
import com.runbook.engine.schedule.Runs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A change and its audit entry commit together: an engine in its own JVM on PostgreSQL takes audited changes from
 * concurrent clients (runs started through the API, incidents acknowledged) and is killed with SIGKILL at a random
 * moment, ROUNDS times on one database; after each kill there is no job_run row without its {@code run.started} entry
 * nor an entry without its row, no acknowledged incident without its {@code incident.acknowledged} entry nor the
 * reverse, every change the API answered 2xx for is there, and the restarted engine verifies the chain.
 */
@Tag("db")
class AuditKillTest {
    static final int ROUNDS = 5;
    static final int SENDERS = 4;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir
    Path dir;
    EngineProcess.Child child;
    final Random random = new Random();

    @AfterEach
    void stop() throws Exception {
        if (child != null && child.process().isAlive()) {
            child.process().destroyForcibly().waitFor();
        }
    }

    private static int post(int port, String path, String body) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TestEngine.TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;   // killed mid-request: not answered
        }
    }

    /** Opens {@code n} incidents to acknowledge (straight into the table: the test is about the acknowledgements). */
    private static List<Long> openIncidents(JdbcTemplate db, int round, int n) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "KillProbe/" + round + "/" + i;
            db.update("insert into incident (incident_key, open_key, priority, status, title, opened_at, last_seen_at)"
                    + " values (?, ?, 'P4', 'open', 'kill probe', ?, ?)", key, key, now, now);
            ids.add(db.queryForObject("select id from incident where incident_key = ?", Long.class, key));
        }
        return ids;
    }

    private static Set<String> subjects(JdbcTemplate db, String action) {
        return new TreeSet<>(db.queryForList("select subject from audit_entry where action = ?", String.class, action));
    }

    @Test
    void neverAChangeWithoutItsEntryNorAnEntryWithoutItsChangeAcrossSigkills() throws Exception {
        assumeTrue(TestEngine.onPostgres(), "needs RUNBOOK_TEST_POSTGRES (the engine is killed while the test reads its database)");
        Path base = dir.resolve("base");
        Runs.route(base, "audited", 5, "ran");
        Map<String, String> settings = new HashMap<>(TestEngine.databaseProperties());
        settings.put("runbook.data-dir", dir.resolve("data").toString());
        settings.put("runbook.trading.demo", "false");
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(settings.get("runbook.db.url"),
                settings.get("runbook.db.user"), settings.get("runbook.db.password")));
        Set<Long> answeredAcks = ConcurrentHashMap.newKeySet();
        List<String> perRound = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            child = EngineProcess.start(base, settings, dir);
            JsonNode verdict = child.get("/api/audit/verify");
            assertThat(verdict.get("ok").asBoolean()).as("verify after %d kills: %s", round, verdict).isTrue();
            if (round == ROUNDS) {
                perRound.add("final: " + verdict.get("entries").asLong() + " entries verified");
                break;
            }
            List<Long> incidents = openIncidents(db, round, 400);
            AtomicInteger nextIncident = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            AtomicBoolean sending = new AtomicBoolean(true);
            int port = child.port();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int t = 0; t < SENDERS; t++) {
                boolean acks = t % 2 == 1;
                senders.submit(() -> {
                    while (sending.get()) {
                        if (acks) {
                            int i = nextIncident.getAndIncrement();
                            if (i >= incidents.size()) {
                                return;
                            }
                            long id = incidents.get(i);
                            if (post(port, "/api/incidents/" + id + "/ack", "{\"by\":\"kill test\"}") == 200) {
                                answeredAcks.add(id);
                                answered.incrementAndGet();
                            }
                        } else if (post(port, "/api/jobs/audited/run", "{}") / 100 == 2) {
                            answered.incrementAndGet();
                        }
                    }
                });
            }
            // a random moment 20 to 200 answered changes into this process's load
            int target = 20 + random.nextInt(180);
            await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= target);
            child.process().destroyForcibly().waitFor();
            sending.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            Set<String> runRows = new TreeSet<>(db.queryForList("select 'run ' || id from job_run where status <> 'skipped'",
                    String.class));
            assertThat(subjects(db, "run.started")).as("run.started entries vs job_run rows after kill %d", round + 1)
                    .isEqualTo(runRows);
            Set<String> acked = new TreeSet<>(db.queryForList("select 'incident ' || id from incident where acknowledged_at"
                    + " is not null", String.class));
            assertThat(subjects(db, "incident.acknowledged")).as("acknowledgement entries vs rows after kill %d", round + 1)
                    .isEqualTo(acked);
            Set<String> missing = new HashSet<>();
            answeredAcks.forEach(id -> {
                if (!acked.contains("incident " + id)) {
                    missing.add("incident " + id);
                }
            });
            assertThat(missing).as("acknowledgements answered 200 but not stored").isEmpty();
            perRound.add("kill " + (round + 1) + ": " + runRows.size() + " runs, " + acked.size() + " acknowledgements");
        }
        System.out.println("audit kill test (PostgreSQL): " + perRound);
    }
}
