package com.runbook.engine.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static com.runbook.engine.alert.Payloads.alertmanager;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Incidents opened by webhooks: priority, dedupe, resolve, escalation, acknowledgement, maintenance mute. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    Engine engine;
    JdbcTemplate db;
    Path base;

    @BeforeAll
    void start() throws Exception {
        base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // the shipped alert routing, with RegionDown starting echo-parameters instead of a DNS failover, and two
        // broken rules first
        Path routing = base.resolve("routes/alert-routing.camel.yaml");
        Files.writeString(routing, Files.readString(routing).replace("constant: dns-failover", "constant: echo-parameters")
                .replace("            when:\n", String.join("\n",
                        "            when:",
                        "              - simple: \"${body[alertname]} == 'RoutingFails'\"",
                        "                steps:",
                        "                  - throwException: {exceptionType: java.lang.IllegalStateException, message: rule broke}",
                        "              - simple: \"${body[alertname]} == 'NoSuchPriority'\"",
                        "                steps:",
                        "                  - setHeader: {name: priority, constant: urgent}",
                        "")));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of(
                "runbook.incident.p1.ack-within", "1s",
                "runbook.incident.p1.escalate-to", "email=lead@example.com,telegram=999",
                "runbook.incident.escalation-check", "100ms"));
        db = new JdbcTemplate(engine.dataSource());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private JsonNode fire(String body) throws Exception {
        HttpResponse<String> r = post(engine, "/webhooks/alertmanager", TOKEN, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body());
    }

    private long incidentOf(JsonNode answer) {
        return answer.get("incidents").get(0).asLong();
    }

    private List<String> pages(long incident, String kind) {
        return db.queryForList("select channel || coalesce('=' || recipient, '') from notification where idempotency_key"
                + " like ? order by channel", String.class, "incident-" + incident + "-" + kind + "-%");
    }

    private JsonNode incident(long id) throws Exception {
        for (JsonNode i : JSON.readTree(get(engine, "/api/incidents").body())) {
            if (i.get("id").asLong() == id) {
                return i;
            }
        }
        throw new AssertionError("no incident " + id);
    }

    @Test
    void aResentAlertUpdatesTheOpenIncidentWithoutPagingAgainAndResolvedSendsOneNotice() throws Exception {
        Map<String, String> labels = Map.of("alertname", "HighErrorRate", "service", "orders");
        long id = incidentOf(fire(alertmanager("firing", "fp-dedupe", labels)));
        assertThat(incidentOf(fire(alertmanager("firing", "fp-dedupe", labels)))).isEqualTo(id);
        JsonNode incident = incident(id);
        assertThat(incident.get("priority").asText()).isEqualTo("P2");   // glossary: HighErrorRate -> P2
        assertThat(incident.get("status").asText()).isEqualTo("open");
        assertThat(incident.get("key").asText()).isEqualTo("HighErrorRate/fp-dedupe");
        assertThat(incident.get("title").asText()).isEqualTo("HighErrorRate summary");
        assertThat(incident.get("occurrences").asInt()).isEqualTo(2);
        assertThat(pages(id, "open")).containsExactly("email", "telegram");
        assertThat(pages(id, "repeat")).isEmpty();

        fire(alertmanager("resolved", "fp-dedupe", labels));
        fire(alertmanager("resolved", "fp-dedupe", labels));
        assertThat(incident(id).get("status").asText()).isEqualTo("resolved");
        assertThat(incident(id).get("resolvedAt").isNull()).isFalse();
        assertThat(pages(id, "resolved")).containsExactly("email", "telegram");
        // the same alert firing again later is a new incident
        assertThat(incidentOf(fire(alertmanager("firing", "fp-dedupe", labels)))).isNotEqualTo(id);
        assertThat(db.queryForObject("select count(*) from alert_event where fingerprint = 'fp-dedupe'"
                + " and processed_at is not null", Integer.class)).isEqualTo(5);
    }

    @Test
    void theAlertRoutingGlossaryGivesThePriorityBetweenAPriorityLabelAndTheSeverity() throws Exception {
        Map<String, String> expected = Map.of("ServiceDown", "P1", "TradingBotOffline", "P1", "NoHeartbeat", "P1",
                "DatabasePoolExhausted", "P1", "HighErrorRate", "P2", "BackupFailed", "P2", "HighRestartRate", "P3",
                "NegativeSharpeDrawdown", "P3");
        for (var e : expected.entrySet()) {
            // severity info alone would give P4: the route's priority wins over it
            long id = incidentOf(fire(alertmanager("firing", "fp-glossary-" + e.getKey(),
                    Map.of("alertname", e.getKey(), "severity", "info"))));
            assertThat(incident(id).get("priority").asText()).as(e.getKey()).isEqualTo(e.getValue());
        }
        long labelled = incidentOf(fire(alertmanager("firing", "fp-glossary-label", Map.of("alertname", "ServiceDown",
                "priority", "P4"))));
        assertThat(incident(labelled).get("priority").asText()).isEqualTo("P4");
    }

    @Test
    void aFailingRoutingRuleOrAPriorityThatIsNotP1ToP4LeavesTheAlertToItsLabels() throws Exception {
        long failed = incidentOf(fire(alertmanager("firing", "fp-routing-fails", Map.of("alertname", "RoutingFails",
                "severity", "error"))));
        assertThat(incident(failed).get("priority").asText()).isEqualTo("P2");
        assertThat(pages(failed, "open")).containsExactly("email", "telegram");
        long ignored = incidentOf(fire(alertmanager("firing", "fp-no-such-priority", Map.of("alertname",
                "NoSuchPriority", "severity", "critical"))));
        assertThat(incident(ignored).get("priority").asText()).isEqualTo("P1");
        assertThat(db.queryForObject("select count(*) from alert_event where fingerprint in ('fp-routing-fails',"
                + " 'fp-no-such-priority')", Integer.class)).isEqualTo(2);
    }

    @Test
    void priorityLabelWinsOverSeverityAndSeverityMapsWhenNoRuleMatches() throws Exception {
        long p4 = incidentOf(fire(alertmanager("firing", "fp-p4", Map.of("alertname", "DiskAlmostFull", "severity",
                "critical", "priority", "p4"))));
        long p1 = incidentOf(fire(alertmanager("firing", "fp-p1", Map.of("alertname", "DiskAlmostFull", "severity", "critical"))));
        long p3 = incidentOf(fire(alertmanager("firing", "fp-p3", Map.of("alertname", "DiskAlmostFull", "severity", "warning"))));
        assertThat(incident(p4).get("priority").asText()).isEqualTo("P4");
        assertThat(pages(p4, "open")).isEmpty();
        assertThat(incident(p1).get("priority").asText()).isEqualTo("P1");
        assertThat(pages(p1, "open")).containsExactly("email", "pubsub:incident-notifications", "telegram");
        assertThat(incident(p3).get("priority").asText()).isEqualTo("P3");
        assertThat(pages(p3, "open")).containsExactly("email");
    }

    @Test
    void anUnacknowledgedP1IsEscalatedAfterItsWindowAndAnAcknowledgedOneIsNot() throws Exception {
        long acked = incidentOf(fire(alertmanager("firing", "fp-acked", Map.of("alertname", "ServiceDown", "service", "a"))));
        HttpResponse<String> ack = post(engine, "/api/incidents/" + acked + "/ack", TOKEN, "{\"by\":\"alice\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        long ignored = incidentOf(fire(alertmanager("firing", "fp-ignored", Map.of("alertname", "ServiceDown", "service", "b"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> !incident(ignored).get("escalatedAt").isNull());
        assertThat(pages(ignored, "escalated")).containsExactly("email=lead@example.com", "telegram=999");
        assertThat(db.queryForObject("select subject from notification where idempotency_key = ?", String.class,
                "incident-" + ignored + "-escalated-email=lead@example.com")).startsWith("[ESCALATED] [P1] ServiceDown summary");
        assertThat(incident(acked).get("escalatedAt").isNull()).isTrue();
        assertThat(pages(acked, "escalated")).isEmpty();
        JsonNode a = incident(acked);
        assertThat(a.get("status").asText()).isEqualTo("acknowledged");
        assertThat(a.get("acknowledgedBy").asText()).isEqualTo("alice");
        assertThat(a.get("acknowledgedAt").isNull()).isFalse();
    }

    @Test
    void acknowledgeNeedsTheTokenAndAnswersConflictsAndUnknownIds() throws Exception {
        long id = incidentOf(fire(alertmanager("firing", "fp-ack", Map.of("alertname", "BackupFailed"))));
        assertThat(post(engine, "/api/incidents/" + id + "/ack", null, "{\"by\":\"x\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> noBy = post(engine, "/api/incidents/" + id + "/ack", TOKEN, "{}");
        assertThat(noBy.statusCode()).isEqualTo(400);
        assertThat(noBy.body()).contains("by: required (who acknowledges)");
        assertThat(post(engine, "/api/incidents/" + id + "/ack", TOKEN, "{\"by\":\"bob\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> again = post(engine, "/api/incidents/" + id + "/ack", TOKEN, "{\"by\":\"carol\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("error").asText()).isEqualTo("incident " + id + " was already acknowledged by bob");
        HttpResponse<String> unknown = post(engine, "/api/incidents/999999/ack", TOKEN, "{\"by\":\"bob\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).isEqualTo("no incident with id 999999");
        // open=true lists acknowledged ones too, never resolved ones
        fire(alertmanager("resolved", "fp-ack", Map.of("alertname", "BackupFailed")));
        for (JsonNode i : JSON.readTree(get(engine, "/api/incidents?open=true").body())) {
            assertThat(i.get("status").asText()).isIn("open", "acknowledged");
            assertThat(i.get("id").asLong()).isNotEqualTo(id);
        }
        assertThat(JSON.readTree(get(engine, "/api/incidents?status=resolved").body()).findValues("id").stream()
                .map(JsonNode::asLong).toList()).contains(id);
    }

    @Test
    void anAlertRoutedToARunbookStartsItWithTriggerAlert() throws Exception {
        fire(alertmanager("firing", "fp-region", Map.of("alertname", "RegionDown", "region", "eu-west")));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode runs = JSON.readTree(get(engine, "/api/runs?job=echo-parameters").body());
            return runs.size() == 1 && runs.get(0).get("trigger").asText().equals("alert")
                    && runs.get(0).get("status").asText().equals("succeeded");
        });
        // a re-sent alert does not start it again
        fire(alertmanager("firing", "fp-region", Map.of("alertname", "RegionDown", "region", "eu-west")));
        assertThat(JSON.readTree(get(engine, "/api/runs?job=echo-parameters").body()).size()).isEqualTo(1);
    }

    @Test
    void duringAMaintenanceWindowP3IsRecordedNotPagedAndP1PagesMarked() throws Exception {
        Files.writeString(base.resolve("routes/sunday-maintenance-test.camel.yaml"), """
                - route:
                    id: sunday-maintenance-test
                    from:
                      uri: direct:sunday-maintenance-test
                      steps:
                        - log:
                            message: maintenance
                """);
        await().atMost(Duration.ofSeconds(15)).until(() -> get(engine, "/api/jobs").body().contains("\"sunday-maintenance-test\""));
        Files.writeString(base.resolve("schedules/sunday-maintenance-test.yaml"),
                "job: sunday-maintenance-test\ncron: \"0 0 0 * * ?\"\nwindow: 1d\n");
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> JSON.readTree(get(engine, "/api/windows").body())
                    .findValues("open").stream().anyMatch(JsonNode::asBoolean));
            IncidentService incidents = (IncidentService) engine.incidents();
            await().atMost(Duration.ofSeconds(5)).until(() -> incidents.maintenanceNow().isPresent());
            JsonNode windows = JSON.readTree(get(engine, "/api/windows").body());
            assertThat(windows.get(0).get("job").asText()).isEqualTo("sunday-maintenance-test");
            assertThat(windows.get(1).get("open").asBoolean()).isFalse();
            long p3 = incidentOf(fire(alertmanager("firing", "fp-m3", Map.of("alertname", "HighRestartRate"))));
            long p1 = incidentOf(fire(alertmanager("firing", "fp-m1", Map.of("alertname", "TradingBotOffline"))));
            assertThat(incident(p3).get("duringMaintenance").asBoolean()).isTrue();
            assertThat(pages(p3, "open")).isEmpty();
            assertThat(incident(p1).get("duringMaintenance").asBoolean()).isTrue();
            assertThat(pages(p1, "open")).hasSize(3);
            assertThat(db.queryForList("select subject from notification where idempotency_key like ?", String.class,
                    "incident-" + p1 + "-open-%")).allMatch(s -> s.startsWith("[P1] [during maintenance] TradingBotOffline summary"));
        } finally {
            Files.delete(base.resolve("schedules/sunday-maintenance-test.yaml"));
            // the shipped sunday-maintenance schedule keeps its own (closed) window listed
            await().atMost(Duration.ofSeconds(15)).until(() -> !get(engine, "/api/windows").body().contains("\"sunday-maintenance-test\"")
                    && ((IncidentService) engine.incidents()).maintenanceNow().isEmpty());
        }
        long after = incidentOf(fire(alertmanager("firing", "fp-m3-after", Map.of("alertname", "HighRestartRate"))));
        assertThat(incident(after).get("duringMaintenance").asBoolean()).isFalse();
        assertThat(pages(after, "open")).containsExactly("email");
    }
}
