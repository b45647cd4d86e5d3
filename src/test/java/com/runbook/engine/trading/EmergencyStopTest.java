package com.runbook.engine.trading;

import com.runbook.engine.core.RunTrigger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.Neighbours;
import com.runbook.engine.RecordingApi;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped emergency-stop and trading-resume runbooks against a local HTTP server playing the trading API; the
 * halt notice through the real outbox to Pub/Sub {@code system-alerts}, incidents through the real incident service.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmergencyStopTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    RecordingApi trading;
    Engine engine;
    Neighbours neighbours;
    long mark;

    @BeforeAll
    void start() throws Exception {
        trading = new RecordingApi();
        neighbours = new Neighbours();
        Map<String, String> props = neighbours.engineProperties(Map.of(
                "runbook.trading.stop-url", trading.url() + "/v1/trading/halt",
                "runbook.trading.resume-url", trading.url() + "/v1/trading/resume",
                "runbook.trading.api-token", "trading-secret"));
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        trading.close();
        neighbours.close();
    }

    @BeforeEach
    void reset() throws Exception {
        trading.requests.clear();
        trading.answer("POST /v1/trading/halt", 200, "{\"halted\":true}");
        trading.answer("POST /v1/trading/resume", 200, "{\"halted\":false}");
        TestEngine.awaitOutboxDelivered(engine);
        mark = TestEngine.lastQueued(engine);
        neighbours.reset();
        new JdbcTemplate(engine.dataSource()).update("delete from trading_control");
    }

    List<Map<String, Object>> controls() {
        return new JdbcTemplate(engine.dataSource()).queryForList("select action, triggered_by, reason, api_status from trading_control order by id");
    }

    /** The bodies of the messages delivered to Pub/Sub system-alerts, in order. */
    List<String> systemAlerts() {
        return neighbours.pubsub.on("system-alerts").stream().map(m -> {
            try {
                return JSON.readTree(m.getData().toStringUtf8()).get("body").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** The TradingHalted incident as GET /api/incidents shows it (the newest). */
    JsonNode halted() throws Exception {
        return TestEngine.incidents(engine, "TradingHalted").get(0);
    }

    @Test
    void haltCallsTheTradingApiOncePublishesPagesAndRecords() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\",\"reason\":\"runaway orders\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode run = JSON.readTree(r.body());
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("job").asText()).isEqualTo("emergency-stop");
        assertThat(run.get("trigger").asText()).isEqualTo("manual");
        // the why is part of the run's record: the runbook declares it
        assertThat(run.get("params")).isEqualTo(JSON.readTree("{\"reason\":\"runaway orders\"}"));

        assertThat(trading.requests).singleElement().satisfies(req -> {
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.pathAndQuery()).isEqualTo("/v1/trading/halt");
            assertThat(req.authorization()).isEqualTo("Bearer trading-secret");
            assertThat(JSON.readTree(req.body())).isEqualTo(JSON.readTree("{\"reason\":\"runaway orders\",\"requestedBy\":\"manual\"}"));
        });
        await().atMost(TestEngine.DELIVERY).until(() -> systemAlerts().size() == 1);
        String published = systemAlerts().get(0);
        assertThat(published).matches("Trading halted at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        Instant at = Instant.parse(published.substring("Trading halted at ".length()));
        assertThat(at).isBetween(before, Instant.now());
        JsonNode incident = halted();
        assertThat(incident.get("key").asText()).isEqualTo("TradingHalted");
        assertThat(incident.get("priority").asText()).isEqualTo("P1");
        assertThat(incident.get("status").asText()).isEqualTo("open");
        assertThat(incident.get("detail").asText()).isEqualTo(published + " by manual: runaway orders");
        // a P1 pages everyone: Telegram, email and Pub/Sub incident-notifications
        String page = "[P1] " + published + " (#" + incident.get("id").asLong() + ")";
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(page).size() == 1
                && neighbours.telegram.textsTo(Neighbours.CHAT).stream().anyMatch(t -> t.startsWith(page))
                && neighbours.pubsub.on("incident-notifications").stream().anyMatch(m -> m.getData().toStringUtf8().contains(page)));
        assertThat(controls()).singleElement().satisfies(c -> {
            assertThat(c.get("action")).isEqualTo("halt");
            assertThat(c.get("triggered_by")).isEqualTo("manual");
            assertThat(c.get("reason")).isEqualTo("runaway orders");
            assertThat(((Number) c.get("api_status")).intValue()).isEqualTo(200);
        });
        resume();
    }

    /** Resumes trading, so that the next test starts with no open TradingHalted incident. */
    void resume() throws Exception {
        assertThat(post(engine, "/api/runbooks/trading-resume", TOKEN, "{\"confirm\":\"trading-resume\"}").statusCode()).isEqualTo(200);
        assertThat(halted().get("status").asText()).isEqualTo("resolved");
    }

    @Test
    void withoutTheConfirmationNothingHappens() throws Exception {
        int runsBefore = engine.runs().list("emergency-stop", 1000).size();
        int incidentsBefore = TestEngine.incidents(engine, "Trading").size();
        HttpResponse<String> none = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"reason\":\"oops\"}");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("confirm must be \"emergency-stop\" to run it");
        HttpResponse<String> wrong = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"yes\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("confirm must be \"emergency-stop\" to run it, not \"yes\"");
        assertThat(post(engine, "/api/runbooks/emergency-stop", null, "{\"confirm\":\"emergency-stop\"}").statusCode()).isEqualTo(401);
        assertThat(trading.requests).isEmpty();
        assertThat(TestEngine.queuedAfter(engine, mark)).isEmpty();
        assertThat(TestEngine.incidents(engine, "Trading")).hasSize(incidentsBefore);
        assertThat(controls()).isEmpty();
        assertThat(engine.runs().list("emergency-stop", 1000)).hasSize(runsBefore);
    }

    @Test
    void anAlertOrTheJobsApiHaltsTooAndResumeResolves() throws Exception {
        long run = engine.runner().start("emergency-stop", RunTrigger.ALERT, Map.of("reason", "TradingLossLimit"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().json().get("status")));
        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded").containsEntry("trigger", "alert");
        // the outbox sends due messages in parallel: two notices queued a moment apart may arrive in either order
        await().atMost(TestEngine.DELIVERY).until(() -> systemAlerts().size() == 1);

        HttpResponse<String> resume = post(engine, "/api/runbooks/trading-resume", TOKEN, "{\"confirm\":\"trading-resume\",\"reason\":\"limits reset\"}");
        assertThat(resume.statusCode()).isEqualTo(200);
        assertThat(trading.requests).extracting(RecordingApi.Request::pathAndQuery).containsExactly("/v1/trading/halt", "/v1/trading/resume");
        await().atMost(TestEngine.DELIVERY).until(() -> systemAlerts().size() == 2);
        assertThat(systemAlerts()).satisfiesExactly(h -> assertThat(h).startsWith("Trading halted at "),
                r -> assertThat(r).startsWith("Trading resumed at "));
        assertThat(halted().get("status").asText()).isEqualTo("resolved");
        assertThat(halted().get("detail").asText()).endsWith(" by alert: TradingLossLimit");
        assertThat(controls()).extracting(m -> m.get("action") + "/" + m.get("triggered_by")).containsExactly("halt/alert", "resume/manual");
    }

    @Test
    void aStopTheTradingApiRefusesFailsTheRunAndPagesThatItFailed() throws Exception {
        trading.answer("POST /v1/trading/halt", 500, "{\"error\":\"busy\"}");
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\"}");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("IllegalStateException: the trading API did not accept the halt ("
                + trading.url() + "/v1/trading/halt answered 500)");
        assertThat(TestEngine.queuedAfter(engine, mark)).noneMatch(m -> m.get("channel").equals("pubsub:system-alerts"));
        assertThat(TestEngine.incidents(engine, "TradingControlFailed/")).singleElement().satisfies(i -> {
            assertThat(i.get("key").asText()).isEqualTo("TradingControlFailed/halt");
            assertThat(i.get("priority").asText()).isEqualTo("P1");
            assertThat(i.get("status").asText()).isEqualTo("open");
        });
        assertThat(TestEngine.incidents(engine, "TradingHalted")).noneMatch(i -> i.get("status").asText().equals("open"));
    }
}
