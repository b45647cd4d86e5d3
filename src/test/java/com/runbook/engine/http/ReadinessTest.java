package com.runbook.engine.http;

import com.runbook.engine.core.RunRecord;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.alert.Payloads;
import com.runbook.engine.alert.RealAlertmanager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While the engine is not ready, from the first accepted connection until every route, the alert routing and the
 * maintenance windows are in force, and again from the start of shutdown, requests get 503 with Retry-After: never
 * 404, which Alertmanager drops, nor 202 before the alert routing runs.
 */
class ReadinessTest {
    static final String NOT_READY = "{\"error\":\"the engine is starting and accepts no requests yet; retry in a few seconds\"}";
    static final String STOPPING = "{\"error\":\"the engine is shutting down; retry in a few seconds\"}";
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();
    final AtomicBoolean posting = new AtomicBoolean(true);
    int port;

    @AfterEach
    void stop() throws Exception {
        posting.set(false);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Engine start(Map<String, String> extra) throws Exception {
        Map<String, String> props = new HashMap<>(extra);
        props.put("camel.server.port", Integer.toString(port));
        Engine engine = TestEngine.start(dir.resolve("base"), dir.resolve("data"), props);
        open.add(engine);
        return engine;
    }

    /** One answer: status (-1: no connection), Retry-After and body. */
    record Answer(int status, String retryAfter, String body) {
    }

    private Answer post(String path, String body) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TestEngine.TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), r.body());
        } catch (java.io.IOException e) {
            return new Answer(-1, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, null, e.toString());
        }
    }

    /** Posts {@code body} to {@code path} in a tight loop until {@link #posting} ends, every answer in order. */
    private List<Answer> postInALoop(String path, String body) {
        List<Answer> answers = new CopyOnWriteArrayList<>();
        CompletableFuture.runAsync(() -> {
            while (posting.get()) {
                answers.add(post(path, body));
            }
        });
        return answers;
    }

    /** The statuses in order, each run of equal statuses once. */
    private static List<Integer> runs(List<Answer> answers) {
        List<Integer> runs = new ArrayList<>();
        for (Answer a : answers) {
            if (runs.isEmpty() || runs.get(runs.size() - 1) != a.status()) {
                runs.add(a.status());
            }
        }
        return runs;
    }

    @Test
    void aWebhookGets503NeverNotFoundWhileTheEngineStartsAndStops() throws Exception {
        port = TestEngine.freePort();
        List<Answer> answers = postInALoop("/webhooks/alertmanager", Payloads.alertmanager("firing", "fp-probe",
                Map.of("alertname", "ReadinessProbe", "severity", "warning")));
        Engine engine = start(Map.of());
        await().atMost(Duration.ofSeconds(120)).until(() -> answers.stream().anyMatch(a -> a.status() == 202));
        open.remove(engine);
        engine.close();
        int closedAt = answers.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() > closedAt
                && answers.get(answers.size() - 1).status() == -1);
        posting.set(false);

        // nothing listening, then 503 until ready, then accepted, then 503 from the start of shutdown, then closed
        assertThat(runs(answers)).containsSubsequence(503, 202).isSubsetOf(-1, 503, 202)
                .satisfies(r -> assertThat(List.of(-1, 503, 202, 503, -1)).containsSubsequence(r));
        assertThat(answers).filteredOn(a -> a.status() == 503).allSatisfy(a -> {
            assertThat(a.retryAfter()).isEqualTo("5");
            assertThat(a.body()).isIn(NOT_READY, STOPPING);
        });
        assertThat(answers.stream().filter(a -> a.status() == 503).map(Answer::body))
                .as("the 503s before ready say so").contains(NOT_READY);
    }

    @Test
    void aRegionDownPostedFromTheEnginesFirstSecondStartsDnsFailoverOnce() throws Exception {
        TestEngine.copyShippedRunbooks(dir.resolve("base"));
        port = TestEngine.freePort();
        String regionDown = Payloads.alertmanager("firing", "fp-region-down",
                Map.of("alertname", "RegionDown", "region", "eu-west", "severity", "critical"));
        List<Answer> answers = postInALoop("/webhooks/alertmanager", regionDown);
        Engine engine = start(Map.of());
        // accepted many times over once ready: the same alert, one incident, one run
        await().atMost(Duration.ofSeconds(120)).until(() -> answers.stream().filter(a -> a.status() == 202).count() >= 20);
        posting.set(false);

        assertThat(runs(answers)).containsSubsequence(503, 202).isSubsetOf(-1, 503, 202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !engine.runs().list("dns-failover", 10).isEmpty());
        assertThat(engine.runs().list("dns-failover", 10).stream().map(RunRecord::json).toList()).singleElement()
                .satisfies(run -> assertThat(run).containsEntry("trigger", "alert"));
        assertThat(TestEngine.incidents(engine, "RegionDown/")).singleElement()
                .satisfies(i -> assertThat(i.get("priority").asText()).isEqualTo("P1"));
    }

    @Test
    void aRealAlertmanagerPostingThroughAnEngineRestartLosesNothing() throws Exception {
        RealAlertmanager.assumeInstalled();
        port = TestEngine.freePort();
        String token = "am-restart-token";
        Map<String, String> props = Map.of("runbook.alert.alertmanager.token", token);
        start(props);
        // group_interval 10m: a notification dropped (as after a 404) would not come again during this test, while
        // one answered 503 or refused is retried by Alertmanager within that time
        RealAlertmanager alertmanager = new RealAlertmanager(dir.resolve("am"),
                "http://127.0.0.1:" + port + "/webhooks/alertmanager", token, "10m");
        open.add(0, alertmanager);
        List<String> sent = new CopyOnWriteArrayList<>();
        // ten new alerts a second, each its own group, through the stop and the start
        ScheduledExecutorService poster = Executors.newSingleThreadScheduledExecutor();
        open.add(0, poster::shutdownNow);
        poster.scheduleAtFixedRate(() -> {
            String name = "Restart" + String.format("%04d", sent.size());
            try {
                if (alertmanager.post("[{\"labels\":{\"alertname\":\"" + name + "\",\"severity\":\"warning\"},"
                        + "\"startsAt\":\"" + Instant.now().minusSeconds(1) + "\"}]") == 200) {
                    sent.add(name);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() >= 20);
        open.remove(open.size() - 1).close();   // the engine stops while alerts keep coming
        int atStop = sent.size();
        Engine restarted = start(props);
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() >= atStop + 20);
        poster.shutdown();
        assertThat(poster.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> incidentsNamed(restarted, "Restart") >= sent.size());
        assertThat(incidentsNamed(restarted, "Restart")).isEqualTo(sent.size());
    }

    private static int incidentsNamed(Engine engine, String prefix) throws Exception {
        try (Connection c = engine.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from incident where incident_key like '" + prefix + "%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
