package com.runbook.engine.run;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every change leaves its entry, end to end through the API on a real engine: a run (its actor, its parameters with
 * the secret masked, dry run or not), an acknowledgement, a page retried, a file applied and refused by a reload;
 * each entry is in the trail with its change, and the chain verifies.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditedChangesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String VAULT = """
            - parameters:
                - name: account
                  required: true
                - name: password
                  secret: true
            - route:
                id: vault-job
                from:
                  uri: direct:vault-job
                  steps:
                    - log: "vault for ${header.account}"
            """;
    @TempDir
    static Path dir;
    Engine engine;
    Path base;

    @BeforeAll
    void start() throws Exception {
        base = dir.resolve("base");
        Files.createDirectories(base.resolve("routes"));
        Files.createDirectories(base.resolve("schedules"));
        Files.writeString(base.resolve("routes/vault-job.camel.yaml"), VAULT);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    /** GET /api/audit with {@code query}, newest first. */
    List<JsonNode> audit(String query) throws Exception {
        HttpResponse<String> r = TestEngine.get(engine, "/api/audit?" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        JSON.readTree(r.body()).forEach(entries::add);
        return entries;
    }

    JsonNode entry(String action, String subject) throws Exception {
        return audit("action=" + action + "&limit=1000").stream().filter(e -> e.get("subject").asText().equals(subject))
                .findFirst().orElseThrow(() -> new AssertionError("no " + action + " entry for " + subject));
    }

    long run(String body) throws Exception {
        HttpResponse<String> r = TestEngine.post(engine, "/api/jobs/vault-job/run", TOKEN, body);
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 202);
        return JSON.readTree(r.body()).get("runId").asLong();
    }

    @Test
    void aRunNamesItsActorAndItsEntryMasksTheSecretParameter() throws Exception {
        long id = run("{\"account\":\"acme\",\"password\":\"hunter2-secret\"}");
        JsonNode e = entry("run.started", "run " + id);
        assertThat(e.get("actor").asText()).isEqualTo("token:bootstrap");
        assertThat(e.get("job").asText()).isEqualTo("vault-job");
        assertThat(e.get("detail")).isEqualTo(JSON.readTree("{\"runId\":" + id + ",\"trigger\":\"manual\",\"dryRun\":false,"
                + "\"params\":{\"account\":\"acme\",\"password\":\"****\"}}"));
        assertThat(TestEngine.get(engine, "/api/audit?limit=1000").body()).doesNotContain("hunter2-secret");
        await().atMost(Duration.ofSeconds(20)).until(() -> JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body())
                .get("by").asText().equals("token:bootstrap"));

        long rehearsal = run("{\"account\":\"acme\",\"dryRun\":true}");
        assertThat(entry("run.started", "run " + rehearsal).get("detail").get("dryRun").asBoolean()).isTrue();
    }

    @Test
    void anAcknowledgementNamesTheCallerAndKeepsTheFreeTextByAsNote() throws Exception {
        long incident = engine.incidents().raise("AuditProbe/ack", "P4", "audit probe", "x", Map.of());
        HttpResponse<String> r = TestEngine.post(engine, "/api/incidents/" + incident + "/ack", TOKEN, "{\"by\":\"Alice on call\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode e = entry("incident.acknowledged", "incident " + incident);
        assertThat(e.get("actor").asText()).isEqualTo("token:bootstrap");
        assertThat(e.get("detail").get("note").asText()).isEqualTo("Alice on call");
        assertThat(e.get("detail").get("key").asText()).isEqualTo("AuditProbe/ack");
    }

    @Test
    void aRetriedPageLeavesItsEntry() throws Exception {
        long id = engine.notifier().enqueue("email", "ops@example.com", "audit probe", "body", "audit-probe-1", Map.of());
        new JdbcTemplate(engine.dataSource()).update("update notification set status = 'dead' where id = ?", id);
        HttpResponse<String> r = TestEngine.post(engine, "/api/outbox/" + id + "/retry", TOKEN, "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode e = entry("page.retried", "notification " + id);
        assertThat(e.get("actor").asText()).isEqualTo("token:bootstrap");
        assertThat(e.get("detail").get("channel").asText()).isEqualTo("email");
    }

    @Test
    void aFileAppliedAndAFileRefusedByAReloadLeaveTheirEntriesWithTheirDiff() throws Exception {
        String file = "routes/probe-job.camel.yaml";
        String first = "- route:\n    id: probe-job\n    from:\n      uri: direct:probe-job\n      steps:\n        - log: one\n";
        Files.writeString(base.resolve(file), first);
        await().atMost(Duration.ofSeconds(30)).until(() -> audit("action=reload.applied&limit=1000").stream()
                .anyMatch(e -> e.get("subject").asText().equals(file)));
        Files.writeString(base.resolve(file), first.replace("log: one", "log: two"));
        await().atMost(Duration.ofSeconds(30)).until(() -> audit("action=reload.applied&limit=1000").stream()
                .filter(e -> e.get("subject").asText().equals(file)).count() == 2);
        JsonNode applied = audit("action=reload.applied&limit=1000").stream()
                .filter(e -> e.get("subject").asText().equals(file)).findFirst().orElseThrow();
        assertThat(applied.get("actor").asText()).isEqualTo("engine:file-watcher");
        assertThat(applied.get("detail").get("diff").asText()).contains("-        - log: one\n+        - log: two\n");

        Files.writeString(base.resolve(file), first.replace("log: one", "nosuchstep: three"));
        await().atMost(Duration.ofSeconds(30)).until(() -> audit("action=reload.refused&limit=1000").stream()
                .anyMatch(e -> e.get("subject").asText().equals(file)));
        JsonNode refused = entry("reload.refused", file);
        assertThat(refused.get("detail").get("problems").get(0).asText()).startsWith(file + ":");
        assertThat(refused.get("detail").get("diff").asText()).contains("-        - log: two\n+        - nosuchstep: three\n");
        assertThat(refused.get("detail").get("previousVersionRunning").asBoolean()).isTrue();
    }

    @Test
    void theStartRecordedEachFileAndTheChainVerifies() throws Exception {
        assertThat(entry("reload.applied", "routes/vault-job.camel.yaml").get("actor").asText()).isEqualTo("engine:start");
        JsonNode verdict = JSON.readTree(TestEngine.get(engine, "/api/audit/verify").body());
        assertThat(verdict.get("ok").asBoolean()).as(verdict.toString()).isTrue();
    }

    @Test
    void aScheduledFireRunsOnBehalfOfItsSchedule() throws Exception {
        Files.writeString(base.resolve("routes/tick-job.camel.yaml"),
                "- route:\n    id: tick-job\n    from:\n      uri: direct:tick-job\n      steps:\n        - log: tick\n");
        Files.writeString(base.resolve("schedules/tick-every-second.yaml"), "id: tick-every-second\njob: tick-job\nevery: 1s\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> audit("action=run.started&job=tick-job&limit=10").size() >= 1);
        JsonNode e = audit("action=run.started&job=tick-job&limit=10").get(0);
        assertThat(e.get("actor").asText()).isEqualTo("schedule:tick-every-second");
        assertThat(e.get("detail").get("trigger").asText()).isEqualTo("schedule");
        assertThat(e.get("detail").get("scheduleId").asText()).isEqualTo("tick-every-second");
        assertThat(e.get("detail").has("scheduledFor")).isTrue();
        Files.delete(base.resolve("schedules/tick-every-second.yaml"));
    }
}
