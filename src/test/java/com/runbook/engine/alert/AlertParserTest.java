package com.runbook.engine.alert;

import com.runbook.engine.incident.Priority;
import com.runbook.engine.incident.ShippedPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class AlertParserTest {
    private final AlertParser parser = new AlertParser(ShippedPolicy.with(Map.of()));

    @Test
    void anAlertmanagerBatchBecomesOneEventPerAlert() {
        String body = Payloads.alertmanager(List.of(
                Payloads.alert("firing", "aaa", Map.of("alertname", "RegionDown", "region", "eu-west", "severity", "critical")),
                Payloads.alert("resolved", "bbb", Map.of("alertname", "Disk", "severity", "warning"))));
        List<AlertEvent> events = parser.parse("alertmanager", body.getBytes(StandardCharsets.UTF_8));
        assertThat(events).hasSize(2);
        AlertEvent a = events.get(0);
        assertThat(a.firing()).isTrue();
        assertThat(a.priority()).isEqualTo(Priority.P1);
        assertThat(a.incidentKey()).isEqualTo("RegionDown/aaa");
        assertThat(a.title()).isEqualTo("RegionDown summary");
        assertThat(a.detail()).isEqualTo("details of RegionDown");
        assertThat(a.startsAt()).hasToString("2026-11-25T10:00Z");
        assertThat(a.endsAt()).isNull();   // 0001-01-01: not ended
        assertThat(events.get(1).status()).isEqualTo("resolved");
        assertThat(events.get(1).priority()).isEqualTo(Priority.P3);
    }

    @Test
    void withoutAFingerprintTheSortedLabelsAreHashedStably() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("alertname", "X");
        ab.put("zone", "a");
        Map<String, String> ba = new TreeMap<>(ab);
        assertThat(AlertParser.hash(ab)).isEqualTo(AlertParser.hash(ba)).hasSize(16);
        assertThat(AlertParser.hash(Map.of("alertname", "X", "zone", "b"))).isNotEqualTo(AlertParser.hash(ab));
        String body = "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\",\"zone\":\"a\"}}]}";
        assertThat(parser.parse("grafana", body.getBytes(StandardCharsets.UTF_8)).get(0).fingerprint())
                .isEqualTo(AlertParser.hash(ab));
    }

    @Test
    void theGenericShapeSetsPriorityTitleAndKey() {
        String body = "{\"title\":\"Trading halted\",\"priority\":\"p1\",\"key\":\"halt\",\"detail\":\"by ops\","
                + "\"labels\":{\"desk\":\"fx\"}}";
        AlertEvent e = parser.parse("generic", body.getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(e.priority()).isEqualTo(Priority.P1);
        assertThat(e.title()).isEqualTo("Trading halted");
        assertThat(e.detail()).isEqualTo("by ops");
        assertThat(e.incidentKey()).isEqualTo("Trading_halted/halt");
        assertThat(e.labels()).containsEntry("desk", "fx").containsEntry("priority", "P1");
        assertThat(e.firing()).isTrue();
    }

    @Test
    void overLongCloudMonitoringValuesAreCutToTheLimitsAndNulEscaped() {
        String id = "i".repeat(5000);
        AlertEvent e = monitoring(CloudMonitoringTest.incident(id, "open", "Error")
                .replace("\"API latency\"", "\"" + "P".repeat(5000) + "\\u0000\"")).get(0);
        assertThat(e.fingerprint()).hasSize(com.runbook.engine.text.Text.FINGERPRINT).endsWith("…[truncated]");
        assertThat(e.alertname()).hasSize(com.runbook.engine.text.Text.ALERTNAME).endsWith("…[truncated]");
        assertThat(e.title()).hasSizeLessThanOrEqualTo(com.runbook.engine.text.Text.TITLE);
        assertThat(e.labels().get("alertname")).isEqualTo(e.alertname());
        assertThat(e.incidentKey().length()).isLessThanOrEqualTo(com.runbook.engine.text.Text.KEY);
        AlertEvent nul = monitoring(CloudMonitoringTest.incident("0.n", "open", "Error").replace("\"API latency\"",
                "\"API\\u0000latency\"")).get(0);
        assertThat(nul.alertname()).isEqualTo("API\\u0000latency");
    }

    private List<AlertEvent> monitoring(String json) {
        return parser.parse(AlertParser.CLOUD_MONITORING, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCloudMonitoringIncidentIsNormalisedLikeAnAlert() {
        AlertEvent open = monitoring(CloudMonitoringTest.incident("0.abc", "open", "Error")).get(0);
        assertThat(open.source()).isEqualTo("cloud-monitoring");
        assertThat(open.incidentKey()).isEqualTo("API latency/0.abc");
        assertThat(open.firing()).isTrue();
        assertThat(open.priority()).isEqualTo(Priority.P2);   // Error -> error -> P2
        assertThat(open.labels()).containsEntry("alertname", "API latency").containsEntry("team", "platform")
                .containsEntry("zone", "europe-west1-b").containsEntry("condition", "p99 latency above 2 s");
        assertThat(open.startsAt()).hasToString("2026-11-25T09:46:40Z");
        assertThat(open.endsAt()).isNull();
        AlertEvent closed = monitoring(CloudMonitoringTest.incident("0.abc", "closed", "No severity")).get(0);
        assertThat(closed.status()).isEqualTo("resolved");
        assertThat(closed.incidentKey()).isEqualTo(open.incidentKey());
        assertThat(closed.priority()).isEqualTo(Priority.P3);   // no severity: the default
        assertThat(closed.endsAt()).hasToString("2026-11-25T10:46:40Z");
    }

    @Test
    void aPriorityUserLabelWinsAndAFreeFormOneIsIgnored() {
        String p1 = CloudMonitoringTest.incident("0.p", "open", "Warning").replace("\"team\": \"platform\"", "\"priority\": \"p1\"");
        assertThat(monitoring(p1).get(0).priority()).isEqualTo(Priority.P1);
        String urgent = CloudMonitoringTest.incident("0.p", "open", "Warning").replace("\"team\": \"platform\"", "\"priority\": \"urgent\"");
        assertThat(monitoring(urgent).get(0).priority()).isEqualTo(Priority.P3);
    }

    @Test
    void aMalformedCloudMonitoringMessageListsEveryProblem() {
        assertThat(problem("{\"version\": \"1.2\"}")).isEqualTo("incident: required (an object)");
        assertThat(problem("{\"incident\": {\"incident_id\": \"1\", \"policy_name\": \"X\", \"state\": \"open\","
                + " \"started_at\": 9223372036854775807, \"ended_at\": -5}}")).isEqualTo("incident.started_at: must be Unix"
                + " seconds (was 9223372036854775807); incident.ended_at: must be Unix seconds (was -5)");
        assertThat(problem("{\"incident\": {}}")).isEqualTo("incident.incident_id: required; incident.policy_name: required;"
                + " incident.state: must be open or closed (was missing)");
        assertThat(problem("{\"incident\": {\"incident_id\": 7, \"policy_name\": \"X\", \"state\": \"acked\","
                + " \"started_at\": \"yesterday\"}}")).isEqualTo("incident.incident_id: must be a string;"
                + " incident.incident_id: required; incident.state: must be open or closed (was 'acked');"
                + " incident.started_at: must be Unix seconds (was \"yesterday\")");
        assertThat(problem("{\"incident\": {\"incident_id\": \"1\", \"policy_name\": \"X\", \"state\": \"open\","
                + " \"resource\": {\"labels\": {\"zone\": 1}}}}")).isEqualTo("incident.resource.labels.zone: must be a string");
    }

    private String problem(String json) {
        try {
            monitoring(json);
        } catch (com.runbook.engine.core.Refused e) {
            assertThat(e.reason()).isEqualTo(com.runbook.engine.core.Refused.Reason.INVALID);
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + json);
    }
}
