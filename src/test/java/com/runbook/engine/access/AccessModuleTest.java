package com.runbook.engine.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Personal tokens end to end on a real engine: each role against each kind of door (read, change, admin), the exact
 * 401 and 403 messages with nothing changed, revocation that stops a token at once, and no token text anywhere but in
 * the answer that created it.
 */
@org.junit.jupiter.api.Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessModuleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private Engine engine;

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        Files.writeString(base.resolve("routes/hello.camel.yaml"), """
                - route:
                    id: hello
                    from:
                      uri: direct:hello
                      steps:
                        - log:
                            message: "hello"
                """);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private JsonNode create(String name, String role) throws Exception {
        HttpResponse<String> r = TestEngine.post(engine, "/api/tokens", TestEngine.TOKEN,
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    private Map<String, List<String>> tables() throws Exception {
        return TableSnapshot.of(engine.dataSource(), Set.of("flyway_schema_history", "qrtz_scheduler_state"));
    }

    /** Runs {@code hello} with {@code token} and waits until it finished (so that snapshots after it hold still). */
    private void runHello(String token) throws Exception {
        HttpResponse<String> run = TestEngine.post(engine, "/api/jobs/hello/run", token, "{}");
        assertThat(run.statusCode()).as(run.body()).isBetween(200, 202);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                new org.springframework.jdbc.core.JdbcTemplate(engine.dataSource())
                        .queryForObject("select count(*) from job_run where status = 'running'", Integer.class) == 0);
    }

    @Test
    void anAdminCreatesATokenShownOnce() throws Exception {
        JsonNode created = create("carol", "operator");
        assertThat(created.path("name").asText()).isEqualTo("carol");
        assertThat(created.path("role").asText()).isEqualTo("operator");
        assertThat(created.path("token").asText()).matches("rbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(created.path("createdAt").asText()).isNotBlank();
        assertThat(created.path("expiresAt").isNull()).isTrue();
        String token = created.path("token").asText();

        HttpResponse<String> me = TestEngine.get(engine, "/api/auth", token);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body())).isEqualTo(JSON.readTree(
                "{\"authenticated\": true, \"actor\": \"token:carol\", \"name\": \"carol\", \"role\": \"operator\"}"));

        HttpResponse<String> list = TestEngine.get(engine, "/api/tokens");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(token).doesNotContain("rbk_").doesNotContain("hash");
        JsonNode carol = null;
        for (JsonNode t : JSON.readTree(list.body())) {
            if (t.path("name").asText().equals("carol")) {
                carol = t;
            }
        }
        assertThat(carol).isNotNull();
        assertThat(carol.path("status").asText()).isEqualTo("active");
        assertThat(carol.path("createdBy").asText()).isEqualTo("token:bootstrap");
        assertThat(carol.path("role").asText()).isEqualTo("operator");
    }

    /** "rbk_" + 16 hex digits + "_": the secret after it is base64url and may itself hold '_'. */
    private static final int ID_PART = "rbk_0123456789abcdef_".length();

    private static String secretOf(String token) {
        return token.substring(ID_PART);
    }

    @Test
    void noLogLineHoldsAToken() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        org.apache.logging.log4j.core.appender.AbstractAppender capture =
                new org.apache.logging.log4j.core.appender.AbstractAppender("token-capture", null, null, true,
                        org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY) {
                    @Override
                    public void append(org.apache.logging.log4j.core.LogEvent event) {
                        lines.add(event.getMessage().getFormattedMessage()
                                + (event.getThrown() == null ? "" : " " + event.getThrown()));
                    }
                };
        capture.start();
        org.apache.logging.log4j.core.config.LoggerConfig root = ((org.apache.logging.log4j.core.LoggerContext)
                org.apache.logging.log4j.LogManager.getContext(false)).getConfiguration().getRootLogger();
        root.addAppender(capture, null, null);
        try {
            String token = create("kim", "operator").path("token").asText();
            runHello(token);
            TestEngine.post(engine, "/api/tokens/kim/revoke", TestEngine.TOKEN, "");
            TestEngine.get(engine, "/api/runs", token);
            assertThat(lines).anyMatch(l -> l.contains("Token 'kim' (operator) created by token:bootstrap"))
                    .noneMatch(l -> l.contains(token) || l.contains(secretOf(token))
                            || l.contains(TestEngine.TOKEN));
        } finally {
            root.removeAppender("token-capture");
        }
    }

    @Test
    void theDatabaseHoldsNoTokenText() throws Exception {
        String token = create("dave", "viewer").path("token").asText();
        String secret = secretOf(token);
        List<String> cells = new ArrayList<>();
        try (Connection c = engine.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select * from api_token")) {
            ResultSetMetaData m = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    cells.add(String.valueOf(rs.getString(i)));
                }
            }
        }
        assertThat(cells).isNotEmpty().noneMatch(v -> v.contains(secret) || v.contains(token));
        Path key = engine.dataDir().resolve(TokenKey.FILE);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aViewerReadsButMayNotRunOrManageTokens() throws Exception {
        String viewer = create("vera", "viewer").path("token").asText();
        assertThat(TestEngine.get(engine, "/api/jobs", viewer).statusCode()).isEqualTo(200);
        assertThat(TestEngine.get(engine, "/api/runs", viewer).statusCode()).isEqualTo(200);
        Map<String, List<String>> before = tables();
        HttpResponse<String> run = TestEngine.post(engine, "/api/jobs/hello/run", viewer, "{}");
        assertThat(run.statusCode()).isEqualTo(403);
        assertThat(error(run)).isEqualTo("token:vera (viewer) may not POST /api/jobs/{id}/run: it needs operator");
        HttpResponse<String> list = TestEngine.get(engine, "/api/tokens", viewer);
        assertThat(list.statusCode()).isEqualTo(403);
        assertThat(error(list)).isEqualTo("token:vera (viewer) may not GET /api/tokens: it needs admin");
        HttpResponse<String> mint = TestEngine.post(engine, "/api/tokens", viewer, "{\"name\": \"x\", \"role\": \"admin\"}");
        assertThat(mint.statusCode()).isEqualTo(403);
        assertThat(error(mint)).isEqualTo("token:vera (viewer) may not POST /api/tokens: it needs admin");
        assertThat(tables()).isEqualTo(before);
    }

    @Test
    void anOperatorRunsButMayNotManageTokens() throws Exception {
        String operator = create("otto", "operator").path("token").asText();
        runHello(operator);
        Map<String, List<String>> before = tables();
        HttpResponse<String> mint = TestEngine.post(engine, "/api/tokens", operator, "{\"name\": \"y\", \"role\": \"admin\"}");
        assertThat(mint.statusCode()).isEqualTo(403);
        assertThat(error(mint)).isEqualTo("token:otto (operator) may not POST /api/tokens: it needs admin");
        HttpResponse<String> revoke = TestEngine.post(engine, "/api/tokens/otto/revoke", operator, "");
        assertThat(revoke.statusCode()).isEqualTo(403);
        assertThat(error(revoke)).isEqualTo("token:otto (operator) may not POST /api/tokens/{name}/revoke: it needs admin");
        assertThat(tables()).isEqualTo(before);
    }

    @Test
    void anAdminTokenManagesTokens() throws Exception {
        String admin = create("ada", "admin").path("token").asText();
        HttpResponse<String> mint = TestEngine.post(engine, "/api/tokens", admin, "{\"name\": \"eve\", \"role\": \"viewer\", \"expires\": \"90d\"}");
        assertThat(mint.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(mint.body()).path("expiresAt").asText()).isNotBlank();
        assertThat(TestEngine.get(engine, "/api/tokens", admin).statusCode()).isEqualTo(200);
        HttpResponse<String> revoke = TestEngine.post(engine, "/api/tokens/eve/revoke", admin, "");
        assertThat(revoke.statusCode()).isEqualTo(200);
        runHello(admin);
    }

    @Test
    void withoutAKnownTokenNothingButTheOpenDoors() throws Exception {
        Map<String, List<String>> before = tables();
        for (String path : List.of("/api/jobs", "/api/runs", "/api/auth", "/api/tokens")) {
            HttpResponse<String> none = TestEngine.get(engine, path, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(error(none)).isEqualTo("missing bearer token (Authorization: Bearer <token>)");
            HttpResponse<String> wrong = TestEngine.get(engine, path, "nope");
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
            assertThat(error(wrong)).isEqualTo("invalid bearer token");
        }
        // a well-formed token whose id is unknown, and a known id with another secret
        String real = create("fay", "admin").path("token").asText();
        before = tables();
        String forged = real.substring(0, ID_PART) + "A".repeat(43);
        for (String token : List.of("rbk_0000000000000000_" + "A".repeat(43), forged)) {
            HttpResponse<String> r = TestEngine.post(engine, "/api/jobs/hello/run", token, "{}");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(error(r)).isEqualTo("invalid bearer token");
        }
        HttpResponse<String> r = TestEngine.post(engine, "/api/tokens", null, "{\"name\": \"z\", \"role\": \"admin\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(tables()).isEqualTo(before);
        assertThat(TestEngine.get(engine, "/health", null).statusCode()).isEqualTo(200);
        assertThat(TestEngine.get(engine, "/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedTokenStopsAtOnce() throws Exception {
        String token = create("gus", "operator").path("token").asText();
        assertThat(TestEngine.get(engine, "/api/runs", token).statusCode()).isEqualTo(200);
        HttpResponse<String> revoke = TestEngine.post(engine, "/api/tokens/gus/revoke", TestEngine.TOKEN, "");
        assertThat(revoke.statusCode()).isEqualTo(200);
        JsonNode revoked = JSON.readTree(revoke.body());
        assertThat(revoked.path("name").asText()).isEqualTo("gus");
        String at = revoked.path("revokedAt").asText();
        // the very next request, on any door
        HttpResponse<String> read = TestEngine.get(engine, "/api/runs", token);
        assertThat(read.statusCode()).isEqualTo(401);
        assertThat(error(read)).isEqualTo("token 'gus' was revoked at " + at);
        Map<String, List<String>> before = tables();
        HttpResponse<String> run = TestEngine.post(engine, "/api/jobs/hello/run", token, "{}");
        assertThat(run.statusCode()).isEqualTo(401);
        assertThat(error(run)).isEqualTo("token 'gus' was revoked at " + at);
        assertThat(tables()).isEqualTo(before);

        HttpResponse<String> again = TestEngine.post(engine, "/api/tokens/gus/revoke", TestEngine.TOKEN, "");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(error(again)).isEqualTo("token 'gus' was already revoked at " + at);
        HttpResponse<String> unknown = TestEngine.post(engine, "/api/tokens/nobody/revoke", TestEngine.TOKEN, "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown)).isEqualTo("no token named 'nobody'");
        // the name gets a new token; the old one stays dead
        String fresh = create("gus", "viewer").path("token").asText();
        assertThat(TestEngine.get(engine, "/api/runs", fresh).statusCode()).isEqualTo(200);
        assertThat(error(TestEngine.get(engine, "/api/runs", token))).isEqualTo("invalid bearer token");
    }

    @Test
    void aTokenRevokedWhileInUseStopsAtOnce() throws Exception {
        String token = create("ivan", "viewer").path("token").asText();
        java.util.concurrent.atomic.AtomicBoolean revoked = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger okBefore = new java.util.concurrent.atomic.AtomicInteger();
        List<String> afterRevoke = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        boolean sentAfterRevoke = revoked.get();
                        HttpResponse<String> r = TestEngine.get(engine, "/api/runs?limit=1", token);
                        if (sentAfterRevoke) {
                            afterRevoke.add(r.statusCode() + " " + error(r));
                        } else if (r.statusCode() == 200) {
                            okBefore.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            org.awaitility.Awaitility.await().until(() -> okBefore.get() >= 10);
            HttpResponse<String> revoke = TestEngine.post(engine, "/api/tokens/ivan/revoke", TestEngine.TOKEN, "");
            assertThat(revoke.statusCode()).isEqualTo(200);
            String at = JSON.readTree(revoke.body()).path("revokedAt").asText();
            revoked.set(true);
            org.awaitility.Awaitility.await().until(() -> afterRevoke.size() >= 10);
            stop.set(true);
            // every request sent once the revocation was answered is refused
            assertThat(afterRevoke).isNotEmpty().containsOnly("401 token 'ivan' was revoked at " + at);
        } finally {
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void creationRefusals() throws Exception {
        create("hal", "viewer");
        Map<String, List<String>> before = tables();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"name\": \"hal\", \"role\": \"viewer\"}",
                "409 token 'hal' already exists and is active: revoke it first (runbook token revoke hal)");
        cases.put("{\"role\": \"viewer\"}", "400 name is required (e.g. {\"name\": \"alice\", \"role\": \"operator\"})");
        cases.put("{\"name\": \"ivy\"}", "400 role is required: viewer, operator or admin");
        cases.put("{\"name\": \"ivy\", \"role\": \"root\"}", "400 role must be viewer, operator or admin, not 'root'");
        cases.put("{\"name\": \"Ivy!\", \"role\": \"viewer\"}", "400 a token's name is 1 to 64 characters: lower-case"
                + " letters, digits, '.', '_' or '-', starting with a letter or digit, not 'Ivy!'");
        cases.put("{\"name\": \"bootstrap\", \"role\": \"viewer\"}",
                "400 the name 'bootstrap' is the bootstrap admin token's (RUNBOOK_API_TOKEN): choose another");
        cases.put("{\"name\": \"ivy\", \"role\": \"viewer\", \"expires\": \"soon\"}",
                "400 expires: invalid duration 'soon' (use e.g. 500ms, 15s, 5m, 2h, 1d), or never");
        cases.put("{\"name\": \"ivy\", \"role\": \"viewer\", \"admin\": true}",
                "400 unknown field 'admin' (a token has name, role and expires)");
        cases.put("{\"name\": 7, \"role\": \"viewer\"}", "400 name must be a string");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = TestEngine.post(engine, "/api/tokens", TestEngine.TOKEN, c.getKey());
            assertThat(r.statusCode() + " " + error(r)).as(c.getKey()).isEqualTo(c.getValue());
        }
        assertThat(tables()).isEqualTo(before);
    }
}
