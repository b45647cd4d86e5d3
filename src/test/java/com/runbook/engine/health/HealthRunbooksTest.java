package com.runbook.engine.health;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.RunTrigger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import com.runbook.engine.notify.Dispatcher;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
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

/**
 * The shipped watchdog, daily health check and market checklist runbooks, against local HTTP endpoints; incidents
 * through the real incident service (GET /api/incidents), reports through the real outbox to GreenMail.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthRunbooksTest {
    @TempDir
    static Path dir;
    FakeHealth server;
    Engine engine;
    Neighbours neighbours;

    @BeforeAll
    void start() throws Exception {
        server = new FakeHealth();
        neighbours = new Neighbours();
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // the shipped tick is 15 s; a test runs it faster, on the same route
        Files.writeString(base.resolve("schedules/health-watchdog.yaml"), "job: health-watchdog\nevery: 100ms\n");
        Map<String, String> props = neighbours.engineProperties(Map.of(
                "runbook.watchdog.endpoints", "trading-api,market-data",
                "runbook.watchdog.endpoint.trading-api.url", server.url("/trading/health"),
                "runbook.watchdog.endpoint.trading-api.interval", "100ms",
                "runbook.watchdog.endpoint.trading-api.timeout", "300ms",
                "runbook.watchdog.endpoint.trading-api.restart-hook", server.url("/trading/restart"),
                "runbook.watchdog.endpoint.market-data.url", server.url("/md/health"),
                "runbook.watchdog.endpoint.market-data.interval", "100ms",
                "runbook.health.report-to", "ops@example.com"));
        engine = TestEngine.start(base, dir.resolve("data"), props);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        server.close();
        neighbours.close();
    }

    @Test
    void anEndpointThatFailsTimesOutAndRecoversOpensAndResolvesExactlyOneIncident() throws Exception {
        server.set("/trading/health", 503);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.hits("/trading/restart") == 1);
        server.delay("/trading/health", 1000);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.hits("/trading/health") >= 8);
        server.set("/trading/health", 200);
        server.delay("/trading/health", 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> TestEngine.incidents(engine, "EndpointDown/trading-api").stream()
                .anyMatch(i -> i.get("status").asText().equals("resolved")));
        assertThat(TestEngine.incidents(engine, "EndpointDown/trading-api")).singleElement().satisfies(i -> {
            assertThat(i.get("key").asText()).isEqualTo("EndpointDown/trading-api");
            assertThat(i.get("priority").asText()).isEqualTo("P2");
            assertThat(i.get("title").asText()).isEqualTo("trading-api is down");
            assertThat(i.get("occurrences").asInt()).isEqualTo(1);
        });
        assertThat(server.hits("/trading/restart")).isEqualTo(1);
        // P2 pages telegram and email once when it opens, and says once that it is resolved
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails("[RESOLVED] [P2] trading-api is down").size() == 1);
        assertThat(neighbours.mails("[P2] trading-api is down")).hasSize(1);
        assertThat(neighbours.telegram.textsTo(Neighbours.CHAT)).filteredOn(t -> t.startsWith("[P2] trading-api is down")).hasSize(1);
    }

    @Test
    void theDailyCheckMailsTheStatusAndLatencyOfEveryEndpoint() throws Exception {
        server.set("/md/health", 500);
        long run = engine.runner().start("daily-health-check", RunTrigger.MANUAL, Map.of(), Actor.engine("test"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().json().get("status")));
        server.set("/md/health", 200);
        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
        String subject = "Daily health check: 1 of 2 endpoints down";
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(subject).stream()
                .anyMatch(m -> header(m).endsWith("-" + run)));
        MimeMessage mail = neighbours.mails(subject).stream()
                .filter(m -> header(m).endsWith("-" + run)).findFirst().orElseThrow();
        assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly("ops@example.com");
        assertThat(mail.getSubject()).isEqualTo(subject);
        assertThat(Neighbours.text(mail)).containsPattern("trading-api +UP +\\d+ ms  HTTP 200")
                .containsPattern("market-data +DOWN +\\d+ ms  answered 500");
    }

    @Test
    void aDryRunOfEachHealthReportProbesForRealAndPlansTheMailInsteadOfSendingIt() throws Exception {
        com.runbook.engine.backup.Rehearsals rehearsals = com.runbook.engine.backup.Rehearsals.of(engine);
        for (String job : java.util.List.of("daily-health-check", "market-open-checklist", "market-close-checklist")) {
            int probes = server.hits("/md/health");

            com.runbook.engine.core.RunEnd dry = rehearsals.dryRun(job, Map.of());

            assertThat(dry.status()).as(job + ": " + dry.error()).isEqualTo(com.runbook.engine.core.RunStatus.SUCCEEDED);
            assertThat(server.hits("/md/health")).as(job + " probed").isGreaterThan(probes);
            assertThat((String) dry.result()).containsPattern("market-data +UP +\\d+ ms  HTTP 200");
            // the dry-run module's part: the outbox plans the report instead of queueing it
            assertThat(rehearsals.plan(dry.id())).as(job).anySatisfy(e -> assertThat(e.effect())
                    .contains("ops@example.com").contains("2 endpoints up"));
            assertThat(neighbours.mails("Daily health check: all 2 endpoints up")).noneMatch(m -> header(m).endsWith("-" + dry.id()));
        }
    }

    private static String header(MimeMessage m) {
        try {
            return m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0];
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
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
