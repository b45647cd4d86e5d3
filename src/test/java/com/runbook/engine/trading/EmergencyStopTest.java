package com.runbook.engine.trading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.OpsRecorders;
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

/** The shipped emergency-stop and trading-resume runbooks against a local HTTP server playing the trading API. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmergencyStopTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    RecordingApi trading;
    Engine engine;
    final OpsRecorders.Incidents incidents = new OpsRecorders.Incidents();
    final OpsRecorders.Outbox outbox = new OpsRecorders.Outbox();

    @BeforeAll
    void start() throws Exception {
        trading = new RecordingApi();
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.trading.stop-url", trading.url() + "/v1/trading/halt",
                "runbook.trading.resume-url", trading.url() + "/v1/trading/resume",
                "runbook.trading.api-token", "trading-secret"), Map.of("incidents", incidents, "notifier", outbox));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        trading.close();
    }

    @BeforeEach
    void reset() {
        trading.requests.clear();
        trading.answer("POST /v1/trading/halt", 200, "{\"halted\":true}");
        trading.answer("POST /v1/trading/resume", 200, "{\"halted\":false}");
        incidents.clear();
        outbox.messages.clear();
        new JdbcTemplate(engine.dataSource()).update("delete from trading_control");
    }

    List<Map<String, Object>> controls() {
        return new JdbcTemplate(engine.dataSource()).queryForList("select action, triggered_by, reason, api_status from trading_control order by id");
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

        assertThat(trading.requests).singleElement().satisfies(req -> {
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.pathAndQuery()).isEqualTo("/v1/trading/halt");
            assertThat(req.authorization()).isEqualTo("Bearer trading-secret");
            assertThat(JSON.readTree(req.body())).isEqualTo(JSON.readTree("{\"reason\":\"runaway orders\",\"requestedBy\":\"manual\"}"));
        });
        OpsRecorders.Message published = outbox.on("pubsub:system-alerts").get(0);
        assertThat(outbox.on("pubsub:system-alerts")).hasSize(1);
        assertThat(published.body()).matches("Trading halted at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        Instant at = Instant.parse(published.body().substring("Trading halted at ".length()));
        assertThat(at).isBetween(before, Instant.now());
        assertThat(incidents.raised).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo("TradingHalted");
            assertThat(i.priority()).isEqualTo("P1");
            assertThat(i.detail()).isEqualTo(published.body() + " by manual: runaway orders");
        });
        assertThat(controls()).singleElement().satisfies(c -> {
            assertThat(c.get("action")).isEqualTo("halt");
            assertThat(c.get("triggered_by")).isEqualTo("manual");
            assertThat(c.get("reason")).isEqualTo("runaway orders");
            assertThat(((Number) c.get("api_status")).intValue()).isEqualTo(200);
        });
    }

    @Test
    void withoutTheConfirmationNothingHappens() throws Exception {
        int runsBefore = engine.runs().list("emergency-stop", 1000).size();
        HttpResponse<String> none = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"reason\":\"oops\"}");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("confirm must be \"emergency-stop\" to run it");
        HttpResponse<String> wrong = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"yes\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("confirm must be \"emergency-stop\" to run it, not \"yes\"");
        assertThat(post(engine, "/api/runbooks/emergency-stop", null, "{\"confirm\":\"emergency-stop\"}").statusCode()).isEqualTo(401);
        assertThat(trading.requests).isEmpty();
        assertThat(outbox.messages).isEmpty();
        assertThat(incidents.raised).isEmpty();
        assertThat(controls()).isEmpty();
        assertThat(engine.runs().list("emergency-stop", 1000)).hasSize(runsBefore);
    }

    @Test
    void anAlertOrTheJobsApiHaltsTooAndResumeResolves() throws Exception {
        long run = engine.runner().submit("emergency-stop", "alert", Map.of("reason", "TradingLossLimit"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().get("status")));
        assertThat(engine.runs().find(run).orElseThrow()).containsEntry("status", "succeeded").containsEntry("trigger", "alert");

        HttpResponse<String> resume = post(engine, "/api/runbooks/trading-resume", TOKEN, "{\"confirm\":\"trading-resume\",\"reason\":\"limits reset\"}");
        assertThat(resume.statusCode()).isEqualTo(200);
        assertThat(trading.requests).extracting(RecordingApi.Request::pathAndQuery).containsExactly("/v1/trading/halt", "/v1/trading/resume");
        assertThat(outbox.on("pubsub:system-alerts")).extracting(OpsRecorders.Message::body)
                .satisfiesExactly(h -> assertThat(h).startsWith("Trading halted at "), r -> assertThat(r).startsWith("Trading resumed at "));
        assertThat(incidents.resolved).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("TradingHalted"));
        assertThat(controls()).extracting(m -> m.get("action") + "/" + m.get("triggered_by")).containsExactly("halt/alert", "resume/manual");
    }

    @Test
    void aStopTheTradingApiRefusesFailsTheRunAndPagesThatItFailed() throws Exception {
        trading.answer("POST /v1/trading/halt", 500, "{\"error\":\"busy\"}");
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\"}");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("IllegalStateException: the trading API did not accept the halt ("
                + trading.url() + "/v1/trading/halt answered 500)");
        assertThat(outbox.on("pubsub:system-alerts")).isEmpty();
        assertThat(incidents.raised).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo("TradingControlFailed/halt");
            assertThat(i.priority()).isEqualTo("P1");
        });
    }
}
