package com.runbook.engine.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.OpsRecorders;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import static com.runbook.engine.TestEngine.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shipped watchdog, daily health check and market checklist runbooks, against local HTTP endpoints. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthRunbooksTest {
    @TempDir
    static Path dir;
    FakeHealth server;
    Engine engine;
    final OpsRecorders.Incidents incidents = new OpsRecorders.Incidents();
    final OpsRecorders.Outbox outbox = new OpsRecorders.Outbox();

    @BeforeAll
    void start() throws Exception {
        server = new FakeHealth();
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // the shipped tick is 15 s; a test runs it faster, on the same route
        Files.writeString(base.resolve("schedules/health-watchdog.yaml"), "job: health-watchdog\nevery: 100ms\n");
        engine = TestEngine.start(base, dir.resolve("data"), Map.of(
                "runbook.watchdog.endpoints", "trading-api,market-data",
                "runbook.watchdog.endpoint.trading-api.url", server.url("/trading/health"),
                "runbook.watchdog.endpoint.trading-api.interval", "100ms",
                "runbook.watchdog.endpoint.trading-api.timeout", "300ms",
                "runbook.watchdog.endpoint.trading-api.restart-hook", server.url("/trading/restart"),
                "runbook.watchdog.endpoint.market-data.url", server.url("/md/health"),
                "runbook.watchdog.endpoint.market-data.interval", "100ms",
                "runbook.health.report-to", "ops@example.com"), Map.of("incidents", incidents, "notifier", outbox));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        server.close();
    }

    @Test
    void anEndpointThatFailsTimesOutAndRecoversOpensAndResolvesExactlyOneIncident() {
        server.set("/trading/health", 503);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.hits("/trading/restart") == 1);
        server.delay("/trading/health", 1000);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.hits("/trading/health") >= 8);
        server.set("/trading/health", 200);
        server.delay("/trading/health", 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> incidents.resolved.size() == 1);
        assertThat(incidents.raised).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo("EndpointDown/trading-api");
            assertThat(i.labels()).containsEntry("source", "watchdog");
        });
        assertThat(incidents.resolved.get(0).key()).isEqualTo("EndpointDown/trading-api");
        assertThat(server.hits("/trading/restart")).isEqualTo(1);
        assertThat(incidents.raised).noneMatch(i -> i.key().contains("market-data"));
    }

    @Test
    void theDailyCheckMailsTheStatusAndLatencyOfEveryEndpoint() {
        server.set("/md/health", 500);
        long run = engine.runner().submit("daily-health-check", "manual", Map.of());
        await().atMost(Duration.ofSeconds(15)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().get("status")));
        server.set("/md/health", 200);
        assertThat(engine.runs().find(run).orElseThrow()).containsEntry("status", "succeeded");
        OpsRecorders.Message mail = outbox.on("email").stream().filter(m -> m.idempotencyKey().endsWith("-" + run)).findFirst().orElseThrow();
        assertThat(mail.recipient()).isEqualTo("ops@example.com");
        assertThat(mail.subject()).isEqualTo("Daily health check: 1 of 2 endpoints down");
        assertThat(mail.body()).containsPattern("trading-api +UP +\\d+ ms  HTTP 200")
                .containsPattern("market-data +DOWN +\\d+ ms  answered 500");
    }

    @Test
    void theMarketChecklistsRunAt0845And1600InKolkata() throws Exception {
        JsonNode jobs = new ObjectMapper().readTree(get(engine, "/api/jobs").body());
        for (JsonNode job : jobs) {
            String id = job.get("id").asText();
            if (id.equals("market-open-checklist") || id.equals("market-close-checklist")) {
                OffsetDateTime local = OffsetDateTime.parse(job.get("nextFireLocal").asText());
                assertThat(local.getOffset()).isEqualTo(ZoneOffset.ofHoursMinutes(5, 30));
                assertThat(local.toLocalTime()).isEqualTo(id.startsWith("market-open") ? LocalTime.of(8, 45) : LocalTime.of(16, 0));
            }
        }
        assertThat(jobs.findValuesAsText("id")).contains("market-open-checklist", "market-close-checklist", "daily-health-check");
    }
}
