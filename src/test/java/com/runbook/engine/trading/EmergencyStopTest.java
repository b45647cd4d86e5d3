package com.runbook.engine.trading;

import com.runbook.engine.core.Actor;
import com.runbook.engine.RecordingAudit;
import com.runbook.engine.RecordingIncidents;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.definition.Role;
import org.slf4j.MDC;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.Notifier;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
    final RecordingAudit audit = new RecordingAudit();

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
        long run = engine.runner().start("emergency-stop", RunTrigger.ALERT, Map.of("reason", "TradingLossLimit"), Actor.engine("test"));
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
        assertThat(TestEngine.incidents(engine, "TradingControlFailed/halt")).first().satisfies(i -> {
            assertThat(i.get("key").asText()).isEqualTo("TradingControlFailed/halt");
            assertThat(i.get("priority").asText()).isEqualTo("P1");
            assertThat(i.get("status").asText()).isEqualTo("open");
        });
        assertThat(TestEngine.incidents(engine, "TradingHalted")).noneMatch(i -> i.get("status").asText().equals("open"));
        engine.incidents().resolve("TradingControlFailed/halt", "test over");
    }

    /** What a notifier is asked to queue: "channel subject" lines (the outbox records them in a dry run's plan). */
    static final class Asked implements Notifier {
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Override
        public long enqueue(String channel, String recipient, String subject, String body, String key, Map<String, String> headers) {
            asked.add(channel + " " + subject);
            return asked.size();
        }
    }

    static TradingModule.TradingSettings settings(String stopUrl, String resumeUrl) {
        return new TradingModule.TradingSettings(Optional.ofNullable(stopUrl), Optional.ofNullable(resumeUrl),
                Optional.of("trading-secret"), "system-alerts", Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    @Test
    void aRehearsedStopCallsNothingWritesNothingAndRecordsTheCallTheRowTheNoticeAndThePage() throws Exception {
        Asked notices = new Asked();
        RecordingIncidents incidents = new RecordingIncidents();
        TradingControl control = new TradingControl(settings(trading.url() + "/v1/trading/halt", trading.url() + "/v1/trading/resume"),
                engine.dataSource(), () -> incidents, () -> notices, audit);
        DryRun plan = new DryRun(42);
        Map<String, Object> result = plan.call(() -> control.halt("dry-run", "drill"));
        assertThat(result).containsEntry("message", "would halt trading via POST " + trading.url() + "/v1/trading/halt")
                .doesNotContainKey("tradingApiStatus");
        assertThat(trading.requests).isEmpty();
        assertThat(controls()).isEmpty();
        assertThat(plan.effects()).containsExactly(new DryRun.Effect("trading", "halt trading via POST " + trading.url() + "/v1/trading/halt"),
                new DryRun.Effect("sql", "insert trading_control halt by dry-run: drill"));
        // the notice and the page go to the notifier and the incident service, which record them in a dry run's plan
        assertThat(notices.asked).singleElement().satisfies(n -> assertThat(n).matches("pubsub:system-alerts Trading halted at \\S+Z"));
        assertThat(incidents.raised).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo("TradingHalted");
            assertThat(i.priority()).isEqualTo("P1");
            assertThat(i.detail()).endsWith(" by dry-run: drill");
        });

        plan.call(() -> control.resume("dry-run", "drill over"));
        assertThat(plan.effects()).extracting(DryRun.Effect::effect).endsWith("resume trading via POST " + trading.url()
                + "/v1/trading/resume", "insert trading_control resume by dry-run: drill over");
        assertThat(incidents.resolved).containsExactly("TradingHalted");
        assertThat(trading.requests).isEmpty();
        assertThat(controls()).isEmpty();
    }

    @Test
    void aDryRunWhosePlanIsNotOnItsThreadFailsAndCallsNothing() {
        TradingControl control = new TradingControl(settings(trading.url() + "/v1/trading/halt", trading.url() + "/v1/trading/resume"),
                engine.dataSource(), RecordingIncidents::new, Asked::new, audit);
        assertThatThrownBy(() -> control.halt("dry-run", "drill")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a dry run reached tradingControl without its plan: trading was not halted");
        assertThatThrownBy(() -> control.resume("dry-run", "drill")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a dry run reached tradingControl without its plan: trading was not resumed");
        assertThat(trading.requests).isEmpty();
        assertThat(controls()).isEmpty();
    }

    @Test
    void aStopThatCannotReachTheTradingApiPagesP1() throws Exception {
        int closed = TestEngine.freePort();
        String url = "http://127.0.0.1:" + closed + "/v1/trading/halt";
        TradingControl control = new TradingControl(settings(url, null), engine.dataSource(), engine::incidents, engine::notifier, audit);
        assertThatThrownBy(() -> control.halt("alert", "EmergencyStop")).isInstanceOf(IllegalStateException.class)
                .hasMessage("the trading API did not accept the halt (" + url + " unreachable)");
        assertThat(controls()).singleElement().satisfies(c -> assertThat(c.get("api_status")).isNull());
        JsonNode incident = TestEngine.incidents(engine, "TradingControlFailed/halt").get(0);
        assertThat(incident.get("priority").asText()).isEqualTo("P1");
        assertThat(incident.get("status").asText()).isEqualTo("open");
        assertThat(incident.get("detail").asText()).isEqualTo("the trading API did not accept the halt (" + url
                + " unreachable); triggered by alert: EmergencyStop");
        String page = "[P1] Trading halt FAILED (#" + incident.get("id").asLong() + ")";
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(page).size() == 1
                && neighbours.telegram.textsTo(Neighbours.CHAT).stream().anyMatch(t -> t.startsWith(page)));
        assertThat(TestEngine.queuedAfter(engine, mark)).noneMatch(m -> m.get("channel").equals("pubsub:system-alerts"));
        engine.incidents().resolve("TradingControlFailed/halt", "test over");
    }

    @Test
    void aTradingUrlThatIsNotSetPagesP1NamingTheVariableAndARehearsalFailsTheSame() throws Exception {
        String failure = "runbook.trading.resume-url (env RUNBOOK_TRADING_RESUME_URL) is not set: cannot resume trading";
        RecordingIncidents rehearsed = new RecordingIncidents();
        TradingControl dry = new TradingControl(settings(null, null), engine.dataSource(), () -> rehearsed, Asked::new, audit);
        assertThatThrownBy(() -> new DryRun(7).call(() -> dry.resume("dry-run", ""))).hasMessage(failure);
        assertThat(rehearsed.raised).extracting(RecordingIncidents.Raised::key).containsExactly("TradingControlFailed/resume");

        TradingControl control = new TradingControl(settings(null, null), engine.dataSource(), engine::incidents, engine::notifier, audit);
        assertThatThrownBy(() -> control.resume("manual", "")).isInstanceOf(IllegalStateException.class).hasMessage(failure);
        JsonNode incident = TestEngine.incidents(engine, "TradingControlFailed/resume").get(0);
        assertThat(incident.get("priority").asText()).isEqualTo("P1");
        assertThat(incident.get("status").asText()).isEqualTo("open");
        assertThat(incident.get("detail").asText()).isEqualTo(failure + "; triggered by manual: no reason given");
        String page = "[P1] Trading resume FAILED (#" + incident.get("id").asLong() + ")";
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(page).size() == 1);
        assertThat(controls()).isEmpty();
        assertThat(trading.requests).isEmpty();
        engine.incidents().resolve("TradingControlFailed/resume", "test over");
    }

    @Test
    void aDryRunThatIsNotTrueOrFalseIsRefused() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\",\"dryRun\":\"yes\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("dryRun must be true or false, not \"yes\"");
        assertThat(trading.requests).isEmpty();
    }

    static List<String> lines(JsonNode plan) {
        List<String> lines = new ArrayList<>();
        plan.forEach(e -> lines.add(e.get("kind").asText() + ": " + e.get("effect").asText()));
        return lines;
    }

    /**
     * A rehearsed emergency stop (the door's dryRun: trigger dry-run) leaves the trading API stub, Pub/Sub, the outbox
     * and the engine's tables but the run's own rows as they were, and its plan is what the real stop then does.
     * NEEDS h-b (the dry-run mechanism: the run's plan on its thread, the outbox and the incident service recording
     * instead of acting, the plan stored with the run); on this branch alone the dry run is not a dry run yet.
     */
    @Test
    void aDryRunOfTheStopChangesNothingAndItsPlanIsWhatTheRealStopThenDoes() throws Exception {
        Map<String, List<String>> before = TableSnapshot.exceptRuns(engine.dataSource());
        int incidentsBefore = TestEngine.incidents(engine, "").size();
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN,
                "{\"confirm\":\"emergency-stop\",\"reason\":\"drill\",\"dryRun\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode run = JSON.readTree(r.body());
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("trigger").asText()).isEqualTo("dry-run");
        assertThat(run.get("dryRun").asBoolean()).isTrue();
        assertThat(run.get("params")).isEqualTo(JSON.readTree("{\"reason\":\"drill\"}"));
        assertThat(trading.requests).isEmpty();
        assertThat(controls()).isEmpty();
        assertThat(TestEngine.queuedAfter(engine, mark)).isEmpty();
        assertThat(TestEngine.incidents(engine, "")).hasSize(incidentsBefore);
        assertThat(TableSnapshot.exceptRuns(engine.dataSource())).isEqualTo(before);
        // nothing was queued, so nothing reaches Pub/Sub, GreenMail or Telegram; the real stop's notice does, below
        assertThat(systemAlerts()).isEmpty();
        List<String> plan = lines(run.get("plan"));
        // the plan stored with the run (GET /api/runs/{id} shows it once the story branch's run detail is merged)
        assertThat(engine.runs().plan(run.get("id").asLong())).extracting(e -> e.kind() + ": " + e.effect()).isEqualTo(plan);
        assertThat(plan).hasSize(4);

        HttpResponse<String> real = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\",\"reason\":\"drill\"}");
        assertThat(real.statusCode()).isEqualTo(200);
        // what the real stop did, effect by effect, against the plan
        assertThat(trading.requests).singleElement().satisfies(req -> assertThat(plan.get(0))
                .isEqualTo("trading: halt trading via " + req.method() + " " + trading.url() + req.pathAndQuery()));
        assertThat(controls()).singleElement().satisfies(c -> assertThat(plan.get(1))
                .isEqualTo("sql: insert trading_control " + c.get("action") + " by dry-run: " + c.get("reason")));
        await().atMost(TestEngine.DELIVERY).until(() -> systemAlerts().size() == 1);
        assertThat(plan.get(2)).startsWith("pubsub").contains("system-alerts").contains("Trading halted at ");
        assertThat(plan.get(3)).startsWith("incident").contains("P1").contains("TradingHalted");
        assertThat(halted().get("status").asText()).isEqualTo("open");

        // the way back, rehearsed: the incident stays open, the API is not called, then the real resume does the plan
        TestEngine.awaitOutboxDelivered(engine);
        long queued = TestEngine.lastQueued(engine);
        Map<String, List<String>> halted = TableSnapshot.exceptRuns(engine.dataSource());
        HttpResponse<String> dry = post(engine, "/api/runbooks/trading-resume", TOKEN,
                "{\"confirm\":\"trading-resume\",\"reason\":\"drill over\",\"dryRun\":true}");
        assertThat(dry.statusCode()).isEqualTo(200);
        List<String> back = lines(JSON.readTree(dry.body()).get("plan"));
        assertThat(trading.requests).hasSize(1);
        assertThat(halted().get("status").asText()).isEqualTo("open");
        assertThat(TestEngine.queuedAfter(engine, queued)).isEmpty();
        assertThat(TableSnapshot.exceptRuns(engine.dataSource())).isEqualTo(halted);
        assertThat(post(engine, "/api/runbooks/trading-resume", TOKEN, "{\"confirm\":\"trading-resume\",\"reason\":\"drill over\"}")
                .statusCode()).isEqualTo(200);
        assertThat(back.get(0)).isEqualTo("trading: resume trading via POST " + trading.url() + trading.requests.get(1).pathAndQuery());
        assertThat(back.get(1)).isEqualTo("sql: insert trading_control resume by dry-run: drill over");
        assertThat(back.get(2)).startsWith("pubsub").contains("system-alerts").contains("Trading resumed at ");
        assertThat(back.get(3)).startsWith("incident").contains("TradingHalted");
        assertThat(halted().get("status").asText()).isEqualTo("resolved");
    }

    @Test
    void anAcceptedHaltOrResumeRecordsItsEntryWithTheRowOfItsOutcomeOnBehalfOfTheRunsActor() {
        TradingControl control = new TradingControl(settings(trading.url() + "/v1/trading/halt", trading.url() + "/v1/trading/resume"),
                engine.dataSource(), RecordingIncidents::new, Asked::new, audit);
        audit.committed.clear();
        MDC.put("actor", "token:alice");
        MDC.put("runId", "77");
        MDC.put("job", "emergency-stop");
        try {
            control.halt("manual", "runaway orders");
            trading.answer("POST /v1/trading/resume", 503, "{}");
            assertThatThrownBy(() -> control.resume("manual", "too early")).isInstanceOf(IllegalStateException.class);
        } finally {
            MDC.clear();
        }
        long haltRow = new JdbcTemplate(engine.dataSource()).queryForObject(
                "select id from trading_control where action = 'halt'", Long.class);
        // the refused resume has its trading_control row and its P1, and no trading.resumed entry: trading did not resume
        assertThat(controls()).hasSize(2);
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.TRADING_HALTED);
            assertThat(e.actor().id()).isEqualTo("token:alice");
            assertThat(e.job()).isEqualTo("emergency-stop");
            assertThat(e.subject()).isEqualTo("trading");
            assertThat(e.detail()).containsExactly(Map.entry("runId", 77L), Map.entry("reason", "runaway orders"),
                    Map.entry("tradingApi", "POST " + trading.url() + "/v1/trading/halt"), Map.entry("tradingApiStatus", 200),
                    Map.entry("controlId", haltRow));
        });
        trading.answer("POST /v1/trading/resume", 200, "{\"halted\":false}");
        control.resume("alert", "all clear");   // outside a run: the engine's trading part acts
        assertThat(audit.committed).last().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.TRADING_RESUMED);
            assertThat(e.actor().id()).isEqualTo("engine:trading");
        });
    }

    @Test
    void anEmergencyStopThroughTheApiLeavesTheRunsEntryAndTheHaltsBothNamingTheCaller() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/emergency-stop", TOKEN, "{\"confirm\":\"emergency-stop\",\"reason\":\"audit probe\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        long run = JSON.readTree(r.body()).get("id").asLong();
        JdbcTemplate db = new JdbcTemplate(engine.dataSource());
        assertThat(db.queryForList("select actor, job from audit_entry where action = 'run.started' and subject = ?", "run " + run))
                .singleElement().satisfies(e -> assertThat(e).containsEntry("ACTOR", "token:bootstrap").containsEntry("JOB", "emergency-stop"));
        List<Map<String, Object>> halts = db.queryForList("select actor, job, detail from audit_entry where action = 'trading.halted'"
                + " order by seq desc");
        assertThat(halts).isNotEmpty();
        assertThat(halts.get(0)).containsEntry("ACTOR", "token:bootstrap").containsEntry("JOB", "emergency-stop");
        JsonNode detail = JSON.readTree((String) halts.get(0).get("DETAIL"));
        assertThat(detail.get("runId").asLong()).isEqualTo(run);
        assertThat(detail.get("reason").asText()).isEqualTo("audit probe");
        assertThat(detail.toString()).doesNotContain("trading-secret");
        engine.incidents().resolve("TradingHalted", "test over");
    }
}
