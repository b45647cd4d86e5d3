package com.runbook.engine.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.access.TestTokens;
import com.runbook.engine.definition.Role;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every door of an engine on the shipped runbooks, found from its routes (so a door added later is covered too),
 * against each role at the edge: a viewer reads every {@code /api} read and is refused (403, the exact message,
 * nothing changed) on every change; an operator is refused on every admin door; no token is refused (401) everywhere
 * but the open doors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolesAtTheEdgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK_TOKEN = "grafana-webhook-credential";
    private static final Set<String> OPEN = Set.of("/health", "/metrics");
    @TempDir
    static Path dir;
    Engine engine;
    String viewer;
    String operator;

    record Served(String method, String path) {
        /** The path with each {@code {name}} segment filled in. */
        String example() {
            return path.replaceAll("\\{[^}]+}", "1");
        }
    }

    @BeforeAll
    void start() throws Exception {
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"),
                Map.of("runbook.alert.grafana.token", WEBHOOK_TOKEN));
        viewer = TestTokens.create(engine, "vic", Role.VIEWER);
        operator = TestTokens.create(engine, "olga", Role.OPERATOR);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    /** Every door the engine serves (but the console's pages and the webhooks, which check their own credentials). */
    private List<Served> doors() {
        List<Served> doors = new ArrayList<>();
        for (Route route : engine.context().getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http && http.getPath().startsWith("/api/")) {
                doors.add(new Served(http.getHttpMethodRestrict(), http.getPath()));
            }
        }
        return doors;
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    private Map<String, List<String>> tables() throws Exception {
        return TableSnapshot.of(engine.dataSource(), Set.of("flyway_schema_history", "qrtz_scheduler_state",
                "qrtz_triggers", "qrtz_cron_triggers", "qrtz_simple_triggers", "qrtz_fired_triggers", "watchdog_state",
                "job_run", "job_lock", "run_step", "run_log_line", "run_plan", "notification"));
    }

    @Test
    void aViewerReadsEveryReadAndChangesNothing() throws Exception {
        List<Served> doors = doors();
        assertThat(doors).as("the engine's doors").hasSizeGreaterThan(20);
        Map<String, String> refusals = new TreeMap<>();
        Map<String, List<String>> before = tables();
        for (Served door : doors) {
            HttpResponse<String> r = door.method().equals("GET") ? TestEngine.get(engine, door.example(), viewer)
                    : TestEngine.post(engine, door.example(), viewer, "{}");
            if (door.method().equals("GET") && !door.path().equals("/api/tokens")) {
                assertThat(r.statusCode()).as(door + ": " + r.body()).isNotIn(401, 403);
            } else {
                assertThat(r.statusCode()).as(door + ": " + r.body()).isEqualTo(403);
                assertThat(error(r)).as(door.toString()).matches("token:vic \\(viewer\\) may not " + door.method()
                        + " " + java.util.regex.Pattern.quote(door.path()) + ": it needs (operator|admin)");
                refusals.put(door.method() + " " + door.path(), error(r).replaceAll(".*it needs ", ""));
            }
        }
        assertThat(tables()).isEqualTo(before);
        assertThat(refusals).containsEntry("POST /api/jobs/{id}/run", "operator")
                .containsEntry("POST /api/tokens", "admin").containsEntry("GET /api/tokens", "admin")
                .containsEntry("POST /api/tokens/{name}/revoke", "admin");
    }

    @Test
    void anOperatorIsRefusedOnEveryAdminDoor() throws Exception {
        Map<String, List<String>> before = tables();
        int refused = 0;
        for (Served door : doors()) {
            HttpResponse<String> asViewer = door.method().equals("GET") ? TestEngine.get(engine, door.example(), viewer)
                    : TestEngine.post(engine, door.example(), viewer, "{}");
            if (asViewer.statusCode() != 403 || !error(asViewer).endsWith("it needs admin")) {
                continue;   // an operator's door: calling it would change things (the checks of runs are A2's tests)
            }
            HttpResponse<String> r = door.method().equals("GET") ? TestEngine.get(engine, door.example(), operator)
                    : TestEngine.post(engine, door.example(), operator, "{}");
            assertThat(r.statusCode()).as(door + ": " + r.body()).isEqualTo(403);
            assertThat(error(r)).isEqualTo("token:olga (operator) may not " + door.method() + " " + door.path()
                    + ": it needs admin");
            refused++;
        }
        assertThat(refused).isGreaterThanOrEqualTo(3);
        assertThat(tables()).isEqualTo(before);
    }

    @Test
    void withoutATokenOrWithAWebhooksEveryApiDoorIs401() throws Exception {
        Map<String, List<String>> before = tables();
        for (Served door : doors()) {
            HttpResponse<String> r = door.method().equals("GET") ? TestEngine.get(engine, door.example(), null)
                    : TestEngine.post(engine, door.example(), null, "{}");
            assertThat(r.statusCode()).as(door.toString()).isEqualTo(401);
            assertThat(error(r)).isEqualTo("missing bearer token (Authorization: Bearer <token>)");
        }
        for (Served door : doors()) {   // a webhook's credential only posts alerts
            HttpResponse<String> r = door.method().equals("GET") ? TestEngine.get(engine, door.example(), WEBHOOK_TOKEN)
                    : TestEngine.post(engine, door.example(), WEBHOOK_TOKEN, "{}");
            assertThat(r.statusCode()).as(door.toString()).isEqualTo(401);
            assertThat(error(r)).isEqualTo("invalid bearer token");
        }
        for (String open : OPEN) {
            assertThat(TestEngine.get(engine, open, null).statusCode()).as(open).isEqualTo(200);
        }
        assertThat(tables()).isEqualTo(before);
    }
}
