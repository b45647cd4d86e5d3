package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.access.TestTokens;
import com.runbook.engine.definition.Role;
import com.runbook.engine.dns.BindServer;
import com.runbook.engine.dns.DnsQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each role against each guarded action (issue 23), on the shipped runbooks with a real BIND and a stand-in trading
 * API: the four guarded doors (emergency stop, trading resume, DNS failover, DNS rollback) and a guarded job through
 * {@code POST /api/jobs/{id}/run}. A viewer is stopped at the door (it needs operator), an operator by the runbook's
 * declared role (admin) but may rehearse it (a dry run), an admin runs it. A refusal is a 403 with its exact message
 * and changes nothing: the engine's tables, the trading API's requests, BIND's zone. Nothing of a rehearsal reaches
 * the trading API or the zone either.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardedActionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PRIMARY = "192.0.2.10";
    static final String BACKUP = "198.51.100.20";

    @TempDir
    static Path dir;
    RecordingApi trading;
    BindServer bind;
    FakeHealth health;
    Neighbours neighbours;
    Engine engine;
    String viewer;
    String operator;
    String admin;

    /** A guarded action: the door, a real run's body, and the effect it has (to see it happen, or not). */
    record Action(String job, String path, String body) {
    }

    static final List<Action> DOORS = List.of(
            new Action("emergency-stop", "/api/runbooks/emergency-stop", "{\"confirm\":\"emergency-stop\",\"reason\":\"test\"}"),
            new Action("trading-resume", "/api/runbooks/trading-resume", "{\"confirm\":\"trading-resume\",\"reason\":\"test\"}"),
            new Action("dns-failover", "/api/runbooks/dns-failover", "{\"target\":\"backup\",\"force\":true}"),
            new Action("dns-rollback", "/api/runbooks/dns-rollback", "{}"));

    @BeforeAll
    void start() throws Exception {
        trading = new RecordingApi();
        trading.answer("POST /v1/trading/halt", 200, "{\"halted\":true}");
        trading.answer("POST /v1/trading/resume", 200, "{\"halted\":false}");
        bind = BindServer.start(dir.resolve("bind"), "example.test", "app IN A " + PRIMARY + "\n", BindServer.newSecret());
        health = new FakeHealth();
        neighbours = new Neighbours();
        Map<String, String> props = new HashMap<>(neighbours.engineProperties(bind.failoverProperties(PRIMARY, BACKUP, health)));
        props.putAll(Map.of("runbook.dns.provider", "rfc2136", "runbook.dns.health-passes", "1",
                "runbook.dns.verify-timeout", "5s",
                "runbook.trading.stop-url", trading.url() + "/v1/trading/halt",
                "runbook.trading.resume-url", trading.url() + "/v1/trading/resume",
                "runbook.trading.api-token", "trading-secret"));
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        viewer = TestTokens.create(engine, "vera", Role.VIEWER);
        operator = TestTokens.create(engine, "otto", Role.OPERATOR);
        admin = TestTokens.create(engine, "ada", Role.ADMIN);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        trading.close();
        bind.close();
        health.close();
        neighbours.close();
    }

    private String served() {
        return String.join(",", DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2)));
    }

    /** Every row of the engine's tables but the ones that change on their own (the scheduler's check-in). */
    private Map<String, List<String>> tables() throws Exception {
        JdbcTemplate db = new JdbcTemplate(engine.dataSource());
        await().atMost(Duration.ofSeconds(30)).until(() -> db.queryForObject(
                "select count(*) from job_run where status = 'running'", Integer.class) == 0);
        TestEngine.awaitOutboxDelivered(engine);
        return TableSnapshot.of(engine.dataSource(), Set.of("flyway_schema_history", "qrtz_scheduler_state"));
    }

    /** Like {@link #tables}, without a run's own rows and the audit trail, which a rehearsal does write. */
    private Map<String, List<String>> tablesButRuns() throws Exception {
        Map<String, List<String>> all = tables();
        all.keySet().removeIf(t -> t.equals("job_run") || t.equals("job_lock") || t.startsWith("run_") || t.startsWith("audit"));
        return all;
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    private static String with(String body, String field) {
        return body.equals("{}") ? "{" + field + "}" : body.substring(0, body.length() - 1) + "," + field + "}";
    }

    /** Refused with 403 and {@code message}; no table, trading API request or DNS record changed. */
    private void refused(String path, String token, String body, String message) throws Exception {
        Map<String, List<String>> before = tables();
        String zone = served();
        int calls = trading.requests.size();
        HttpResponse<String> r = TestEngine.post(engine, path, token, body);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(403);
        assertThat(error(r)).isEqualTo(message);
        assertThat(tables()).as("nothing changed by " + path).isEqualTo(before);
        assertThat(trading.requests).hasSize(calls);
        assertThat(served()).isEqualTo(zone);
    }

    @Test
    void eachRoleAgainstEachGuardedDoor() throws Exception {
        for (Action a : DOORS) {
            // a viewer is stopped at the door, for a run as for a rehearsal
            refused(a.path(), viewer, a.body(), "token:vera (viewer) may not POST " + a.path() + ": it needs operator");
            refused(a.path(), viewer, with(a.body(), "\"dryRun\":true"),
                    "token:vera (viewer) may not POST " + a.path() + ": it needs operator");
            // an operator by the runbook's role
            refused(a.path(), operator, a.body(), "token:otto (operator) may not run " + a.job() + ": it needs admin");
            refused(a.path(), operator, with(a.body(), "\"dryRun\":false"),
                    "token:otto (operator) may not run " + a.job() + ": it needs admin");

            // an operator may rehearse it: nothing reaches the trading API or the zone
            Map<String, List<String>> before = tablesButRuns();
            String zone = served();
            int calls = trading.requests.size();
            HttpResponse<String> rehearsal = TestEngine.post(engine, a.path(), operator, with(a.body(), "\"dryRun\":true"));
            assertThat(rehearsal.statusCode()).as(a.job() + " rehearsed: " + rehearsal.body()).isEqualTo(200);
            assertThat(JSON.readTree(rehearsal.body()).get("dryRun").asBoolean()).isTrue();
            assertThat(tablesButRuns()).as("nothing changed by rehearsing " + a.job()).isEqualTo(before);
            assertThat(trading.requests).hasSize(calls);
            assertThat(served()).isEqualTo(zone);

            // an admin runs it
            HttpResponse<String> run = TestEngine.post(engine, a.path(), admin, a.body());
            assertThat(run.statusCode()).as(a.job() + " by an admin: " + run.body()).isEqualTo(200);
            long id = JSON.readTree(run.body()).has("runId") ? JSON.readTree(run.body()).get("runId").asLong()
                    : JSON.readTree(run.body()).get("id").asLong();
            JsonNode row = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
            assertThat(row.get("status").asText()).isEqualTo("succeeded");
            switch (a.job()) {
                case "emergency-stop" -> assertThat(trading.requests).last().satisfies(q ->
                        assertThat(q.pathAndQuery()).isEqualTo("/v1/trading/halt"));
                case "trading-resume" -> assertThat(trading.requests).last().satisfies(q ->
                        assertThat(q.pathAndQuery()).isEqualTo("/v1/trading/resume"));
                case "dns-failover" -> assertThat(served()).isEqualTo(BACKUP);
                default -> assertThat(served()).isEqualTo(PRIMARY);
            }
        }
        assertThat(trading.requests).hasSize(2);
        // the bootstrap token is an admin too
        HttpResponse<String> bootstrap = TestEngine.post(engine, "/api/runbooks/dns-failover", TestEngine.TOKEN,
                "{\"target\":\"backup\",\"force\":true,\"dryRun\":true}");
        assertThat(bootstrap.statusCode()).as(bootstrap.body()).isEqualTo(200);
    }

    @Test
    void aGuardedJobThroughTheJobsApiNeedsItsRoleAndItsRoleIsShown() throws Exception {
        Map<String, String> roles = new HashMap<>();
        for (JsonNode job : JSON.readTree(TestEngine.get(engine, "/api/jobs", viewer).body())) {
            roles.put(job.get("id").asText(), job.get("role").asText());
        }
        assertThat(roles).containsEntry("emergency-stop", "admin").containsEntry("trading-resume", "admin")
                .containsEntry("dns-failover", "admin").containsEntry("dns-rollback", "admin")
                .containsEntry("echo-parameters", "operator").containsEntry("nightly-backup", "operator");

        refused("/api/jobs/dns-rollback/run", viewer, "{}",
                "token:vera (viewer) may not POST /api/jobs/{id}/run: it needs operator");
        refused("/api/jobs/dns-rollback/run", operator, "{}",
                "token:otto (operator) may not run dns-rollback: it needs admin");
        refused("/api/jobs/emergency-stop/run", operator, "{\"reason\":\"x\",\"dryRun\":\"false\"}",
                "token:otto (operator) may not run emergency-stop: it needs admin");

        // an operator rehearses it, an admin runs it; an ordinary job needs an operator
        JdbcTemplate db = new JdbcTemplate(engine.dataSource());
        for (String[] call : new String[][] {{operator, "{\"dryRun\":true}", "dry-run"}, {admin, "{}", "manual"}}) {
            HttpResponse<String> r = TestEngine.post(engine, "/api/jobs/dns-rollback/run", call[0], call[1]);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long id = JSON.readTree(r.body()).get("runId").asLong();
            await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(db.queryForObject(
                    "select status from job_run where id = ?", String.class, id)));
            assertThat(db.queryForObject("select run_trigger from job_run where id = ?", String.class, id)).isEqualTo(call[2]);
        }
        assertThat(TestEngine.post(engine, "/api/jobs/echo-parameters/run", operator, "{}").statusCode()).isEqualTo(202);
        refused("/api/jobs/echo-parameters/run", viewer, "{}",
                "token:vera (viewer) may not POST /api/jobs/{id}/run: it needs operator");
    }
}
