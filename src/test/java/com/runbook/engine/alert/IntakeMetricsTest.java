package com.runbook.engine.alert;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static com.runbook.engine.alert.Payloads.alert;
import static com.runbook.engine.alert.Payloads.alertmanager;
import static com.runbook.engine.observe.MetricsTest.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The intake, incident and outbox metrics, read from a scrape of /metrics after real webhook requests. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeMetricsTest {
    @TempDir
    static Path dir;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        // email goes to a port nobody listens on, with a long backoff: email pages stay in the outbox
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.notify.email.uri", "smtp://127.0.0.1:" + TestEngine.freePort() + "?connectionTimeout=500",
                "runbook.notify.backoff", "1h"));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private String scrape() throws Exception {
        return get(engine, "/metrics").body();
    }

    @Test
    void webhookRequestsIncidentsAndTheOutboxAreMeasured() throws Exception {
        String body = alertmanager(List.of(
                alert("firing", "m1", Map.of("alertname", "HighErrorRate", "service", "api")),        // P2
                alert("firing", "m2", Map.of("alertname", "HighRestartRate", "pod", "bot-1")),        // P3
                alert("firing", "m3", Map.of("alertname", "Disk", "severity", "warning"))));         // P3
        assertThat(post(engine, "/webhooks/alertmanager", TOKEN, body).statusCode()).isEqualTo(202);
        assertThat(post(engine, "/webhooks/alertmanager", "wrong-token", body).statusCode()).isEqualTo(401);
        assertThat(post(engine, "/webhooks/alertmanager", TOKEN, "{\"alerts\": 1}").statusCode()).isEqualTo(400);
        assertThat(post(engine, "/webhooks/generic", TOKEN, "{\"title\": \"Backup verified\", \"priority\": \"P4\"}")
                .statusCode()).isEqualTo(202);

        String s = scrape();
        assertThat(sample(s, "runbook_webhook_requests_total", "source=\"alertmanager\"", "status=\"202\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_webhook_requests_total", "source=\"alertmanager\"", "status=\"401\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_webhook_requests_total", "source=\"alertmanager\"", "status=\"400\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_webhook_requests_total", "source=\"generic\"", "status=\"202\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_incidents_total", "priority=\"P2\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_incidents_total", "priority=\"P3\"")).isEqualTo(2.0);
        assertThat(sample(s, "runbook_incidents_total", "priority=\"P4\"")).isEqualTo(1.0);
        assertThat(sample(s, "runbook_incidents_total", "priority=\"P1\"")).isNaN();

        // P2: telegram (a file, delivered) and email; P3: email twice; P4 pages nobody -> three emails wait
        await().atMost(Duration.ofSeconds(30)).until(() -> sample(scrape(), "runbook_outbox_depth") == 3.0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sample(scrape(), "runbook_outbox_oldest_age_seconds") >= 1.0);
        double age = sample(scrape(), "runbook_outbox_oldest_age_seconds");
        assertThat(age).isLessThan(120.0);
    }
}
