package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine on the shipped routes/ and schedules/, through its HTTP API. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @TempDir
    static Path dir;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // a cron schedule in a zone of its own, so the next fire time can be checked against java.time
        TestEngine.scheduleEchoInNewYork(base);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private JsonNode job(String id) throws Exception {
        for (JsonNode job : json(get(engine, "/api/jobs"))) {
            if (job.get("id").asText().equals(id)) {
                return job;
            }
        }
        return null;
    }

    /** The next weekday 16:30 in New York strictly after {@code now}, computed without Quartz. */
    static Instant nextWeekday1630(Instant now) {
        ZonedDateTime t = now.atZone(NEW_YORK).with(LocalTime.of(16, 30)).withSecond(0).withNano(0);
        while (!t.toInstant().isAfter(now) || t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY) {
            t = t.plusDays(1).with(LocalTime.of(16, 30));
        }
        return t.toInstant();
    }

    @Test
    void jobsListsTheShippedRunbooksWithTheirNextFireTimes() throws Exception {
        Instant before = Instant.now();
        JsonNode echo = job("echo-parameters");
        JsonNode heartbeat = job("heartbeat");
        assertThat(echo.get("file").asText()).isEqualTo("routes/echo-parameters.camel.yaml");
        assertThat(echo.at("/schedule/zone").asText()).isEqualTo("America/New_York");
        Instant next = OffsetDateTime.parse(echo.get("nextFireUtc").asText()).toInstant();
        assertThat(next).isEqualTo(nextWeekday1630(before));
        OffsetDateTime local = OffsetDateTime.parse(echo.get("nextFireLocal").asText());
        assertThat(local.toLocalTime()).isEqualTo(LocalTime.of(16, 30));
        assertThat(local.getOffset()).isEqualTo(NEW_YORK.getRules().getOffset(next));

        assertThat(heartbeat.at("/schedule/expression").asText()).isEqualTo("every 1m");
        Instant heartbeatNext = OffsetDateTime.parse(heartbeat.get("nextFireUtc").asText()).toInstant();
        assertThat(heartbeatNext).isBetween(before.minusSeconds(61), before.plusSeconds(61));
    }

    @Test
    void manualRunNeedsTheTokenAndIsRecorded() throws Exception {
        HttpResponse<String> none = post(engine, "/api/jobs/heartbeat/run", null, "");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).get("error").asText()).isEqualTo("missing bearer token (Authorization: Bearer <token>)");
        HttpResponse<String> wrong = post(engine, "/api/jobs/heartbeat/run", "not-the-token", "");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).get("error").asText()).isEqualTo("invalid bearer token");

        HttpResponse<String> ok = post(engine, "/api/jobs/heartbeat/run", TOKEN, "");
        assertThat(ok.statusCode()).isEqualTo(202);
        long runId = json(ok).get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> json(get(engine, "/api/runs/" + runId)).get("status").asText().equals("succeeded"));
        JsonNode run = json(get(engine, "/api/runs/" + runId));
        assertThat(run.get("job").asText()).isEqualTo("heartbeat");
        assertThat(run.get("trigger").asText()).isEqualTo("manual");
        assertThat(run.get("node").asText()).isEqualTo("test-node");
        assertThat(run.get("finishedAt").isNull()).isFalse();
        assertThat(run.get("error").isNull()).isTrue();
    }

    @Test
    void aFailingJobIsRecordedAsFailedAndTheEngineKeepsRunning() throws Exception {
        long failed = json(post(engine, "/api/jobs/echo-parameters/run", TOKEN, "{\"fail\": \"true\"}")).get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> json(get(engine, "/api/runs/" + failed)).get("status").asText().equals("failed"));
        assertThat(json(get(engine, "/api/runs/" + failed)).get("error").asText())
                .isEqualTo("IllegalStateException: failing on request (fail=true)");

        assertThat(get(engine, "/health").statusCode()).isEqualTo(200);
        long ok = json(post(engine, "/api/jobs/echo-parameters/run", TOKEN, "{\"note\": \"after\"}")).get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> json(get(engine, "/api/runs/" + ok)).get("status").asText().equals("succeeded"));

        JsonNode history = json(get(engine, "/api/runs?job=echo-parameters&limit=2"));
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("id").asLong()).isEqualTo(ok);
        assertThat(history.get(1).get("id").asLong()).isEqualTo(failed);
        assertThat(job("echo-parameters").get("lastStatus").asText()).isEqualTo("succeeded");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        HttpResponse<String> unknown = post(engine, "/api/jobs/no-such-job/run", TOKEN, "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).isEqualTo("no job 'no-such-job' (see GET /api/jobs)");

        HttpResponse<String> malformed = post(engine, "/api/jobs/heartbeat/run", TOKEN, "{\"note\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("error").asText()).startsWith("malformed JSON at line 1");

        HttpResponse<String> tooBig = post(engine, "/api/jobs/heartbeat/run", TOKEN, "{\"x\":\"" + "a".repeat(1_100_000) + "\"}");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(json(tooBig).get("error").asText())
                .isEqualTo("the request body is over 1048576 bytes, the most the engine accepts (camel.server.maxBodySize)");

        assertThat(get(engine, "/api/runs/999999").statusCode()).isEqualTo(404);
        HttpResponse<String> badLimit = get(engine, "/api/runs?limit=lots");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).get("error").asText()).isEqualTo("limit must be a number, not 'lots'");
    }

    @Test
    void formFieldsAreRunParametersAndJsonSentAsAFormGets415() throws Exception {
        String form = "application/x-www-form-urlencoded";
        long failed = json(post(engine, "/api/jobs/echo-parameters/run", TOKEN, "note=form&fail=true", form))
                .get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> json(get(engine, "/api/runs/" + failed)).get("status").asText().equals("failed"));
        assertThat(json(get(engine, "/api/runs/" + failed)).get("error").asText())
                .isEqualTo("IllegalStateException: failing on request (fail=true)");

        HttpResponse<String> emptyForm = post(engine, "/api/jobs/echo-parameters/run", TOKEN, "", form);
        assertThat(emptyForm.statusCode()).isEqualTo(202);

        long runsBefore = json(get(engine, "/api/runs?job=echo-parameters&limit=500")).size();
        HttpResponse<String> jsonAsForm = post(engine, "/api/jobs/echo-parameters/run", TOKEN, "{\"fail\": \"true\"}", form);
        assertThat(jsonAsForm.statusCode()).isEqualTo(415);
        assertThat(json(jsonAsForm).get("error").asText()).isEqualTo("the body must be JSON sent with Content-Type:"
                + " application/json (curl: -H 'Content-Type: application/json'), not application/x-www-form-urlencoded");
        assertThat(json(get(engine, "/api/runs?job=echo-parameters&limit=500")).size()).isEqualTo(runsBefore);
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        HttpResponse<String> health = get(engine, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> metrics = get(engine, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE").contains("jvm_memory_used_bytes");
    }

    @Test
    void theTokenNeverAppearsInTheLog() throws Exception {
        post(engine, "/api/jobs/heartbeat/run", "wrong-" + TOKEN, "");
        post(engine, "/api/jobs/heartbeat/run", TOKEN, "");
        String log = Files.readString(Path.of("target/test-engine.log"));
        assertThat(log).contains("Runbook Engine ready").doesNotContain(TOKEN);
    }
}
