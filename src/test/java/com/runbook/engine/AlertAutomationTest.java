package com.runbook.engine;

import com.runbook.engine.core.RunRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.alert.RealAlertmanager;
import com.runbook.engine.dns.BindServer;
import com.runbook.engine.dns.DnsChangeStore;
import com.runbook.engine.dns.DnsQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alert automation end to end on the shipped runbooks and the shipped alert routing (routes/alert-routing.camel.yaml):
 * an alert posted to a real Alertmanager reaches the engine's webhook, opens its incident and starts its job, which
 * acts on the real neighbours: RegionDown swaps the A record on a real BIND, EmergencyStop halts trading at the
 * trading API stub.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertAutomationTest {
    static final String PRIMARY = "192.0.2.10";
    static final String BACKUP = "198.51.100.20";
    static final String WEBHOOK_TOKEN = "am-webhook-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    BindServer bind;
    FakeHealth health;
    RecordingApi trading;
    Neighbours neighbours;
    Engine engine;
    RealAlertmanager alertmanager;

    @BeforeAll
    void start() throws Exception {
        RealAlertmanager.assumeInstalled();
        bind = BindServer.start(dir.resolve("bind"), "example.test", "app IN A " + PRIMARY + "\n", BindServer.newSecret());
        health = new FakeHealth();
        trading = new RecordingApi();
        trading.answer("POST /v1/trading/halt", 200, "{\"halted\":true}");
        neighbours = new Neighbours();
        Map<String, String> props = neighbours.engineProperties(bind.failoverProperties(PRIMARY, BACKUP, health));
        props.putAll(Map.of("runbook.alert.alertmanager.token", WEBHOOK_TOKEN,
                "runbook.trading.stop-url", trading.url() + "/v1/trading/halt"));
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        alertmanager = new RealAlertmanager(dir.resolve("am"), TestEngine.base(engine) + "/webhooks/alertmanager", WEBHOOK_TOKEN);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {alertmanager, engine, bind, health, trading, neighbours}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String alert(String labels) {
        return "[{\"labels\":{" + labels + "},\"annotations\":{\"summary\":\"test alert\"},\"startsAt\":\""
                + Instant.now().minusSeconds(5) + "\"}]";
    }

    /** The newest run of a job once it has ended. */
    private Map<String, Object> endedRun(String job) {
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.runs().list(job, 1).stream().map(RunRecord::json)
                .anyMatch(r -> !"running".equals(r.get("status"))));
        return engine.runs().list(job, 1).stream().map(RunRecord::json).toList().get(0);
    }

    @Test
    void regionDownThroughAlertmanagerSwapsTheRecordOnBind() throws Exception {
        assertThat(alertmanager.post(alert("\"alertname\":\"RegionDown\",\"region\":\"eu-west\",\"severity\":\"critical\""))).isEqualTo(200);

        Map<String, Object> run = endedRun("dns-failover");
        assertThat(run).containsEntry("status", "succeeded").containsEntry("trigger", "alert");
        // who did it: the alert, by fingerprint, in the run's row, its run.started entry and the DNS change's entry
        assertThat((String) run.get("by")).startsWith("alert:");
        assertThat(new org.springframework.jdbc.core.JdbcTemplate(engine.dataSource()).queryForList(
                "select actor from audit_entry where action in ('run.started', 'dns.changed') and job = 'dns-failover'"
                        + " order by seq", String.class)).containsExactly((String) run.get("by"), (String) run.get("by"));
        assertThat(DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2))).containsExactly(BACKUP);
        assertThat(new DnsChangeStore(engine.dataSource()).list(1)).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("action", "failover").containsEntry("outcome", "applied").containsEntry("triggeredBy", "alert")
                .containsEntry("oldValue", PRIMARY).containsEntry("newValue", BACKUP));
        List<JsonNode> incidents = TestEngine.incidents(engine, "RegionDown/");
        assertThat(incidents).singleElement().satisfies(i -> {
            assertThat(i.get("priority").asText()).isEqualTo("P1");
            assertThat(i.get("status").asText()).isEqualTo("open");
        });
        String subject = "DNS failover: app.example.test. -> " + BACKUP;
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(subject).size() == 1);
    }

    @Test
    void emergencyStopThroughAlertmanagerHaltsTrading() throws Exception {
        assertThat(alertmanager.post(alert("\"alertname\":\"EmergencyStop\",\"reason\":\"loss limit breached\","
                + "\"severity\":\"critical\""))).isEqualTo(200);

        assertThat(endedRun("emergency-stop")).containsEntry("status", "succeeded").containsEntry("trigger", "alert");
        assertThat(trading.requests).singleElement().satisfies(req -> {
            assertThat(req.pathAndQuery()).isEqualTo("/v1/trading/halt");
            assertThat(JSON.readTree(req.body())).isEqualTo(JSON.readTree("{\"reason\":\"loss limit breached\",\"requestedBy\":\"alert\"}"));
        });
        assertThat(TestEngine.incidents(engine, "EmergencyStop/")).singleElement()
                .satisfies(i -> assertThat(i.get("priority").asText()).isEqualTo("P1"));
        assertThat(TestEngine.incidents(engine, "TradingHalted")).singleElement()
                .satisfies(i -> assertThat(i.get("status").asText()).isEqualTo("open"));
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.pubsub.on("system-alerts").stream()
                .anyMatch(m -> m.getData().toStringUtf8().contains("Trading halted at ")));
    }
}
