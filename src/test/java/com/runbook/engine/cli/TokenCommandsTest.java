package com.runbook.engine.cli;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runbook token create|list|revoke} against a real engine: the token printed once, never listed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenCommandsTest {
    private static final Pattern TOKEN = Pattern.compile("rbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
    @TempDir
    static Path dir;
    Engine engine;
    Map<String, String> admin;

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
        admin = Map.of("RUNBOOK_URL", TestEngine.base(engine), "RUNBOOK_API_TOKEN", TestEngine.TOKEN);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private Map<String, String> as(String token) {
        return Map.of("RUNBOOK_URL", TestEngine.base(engine), "RUNBOOK_API_TOKEN", token);
    }

    private static String tokenIn(String out) {
        Matcher m = TOKEN.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group();
    }

    @Test
    void createPrintsTheTokenOnceListNeverShowsIt() {
        CliAgainstEngineTest.Result created = CliAgainstEngineTest.run(admin, "token", "create", "alice", "--role",
                "operator", "--expires", "90d");
        assertThat(created.code()).as(created.err()).isZero();
        String token = tokenIn(created.out());
        assertThat(created.out()).startsWith("Created token 'alice' (operator, expires ")
                .endsWith("\n\n  " + token + "\n\nIt will not be shown again: hand it to its holder now (they set"
                        + " RUNBOOK_API_TOKEN to it).\n");

        CliAgainstEngineTest.Result list = CliAgainstEngineTest.run(admin, "token", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("alice", "operator", "active", "token:bootstrap").doesNotContain("rbk_");
        CliAgainstEngineTest.Result json = CliAgainstEngineTest.run(admin, "token", "list", "--json");
        assertThat(json.out()).contains("\"alice\"").doesNotContain("rbk_").doesNotContain(token);

        // the new token works for reads; an operator may not list tokens (exit 7, the engine's message)
        CliAgainstEngineTest.Result jobs = CliAgainstEngineTest.run(as(token), "list");
        assertThat(jobs.code()).as(jobs.err()).isZero();
        CliAgainstEngineTest.Result forbidden = CliAgainstEngineTest.run(as(token), "token", "list");
        assertThat(forbidden.code()).isEqualTo(EngineClient.FORBIDDEN);
        assertThat(forbidden.err()).isEqualTo("error: token:alice (operator) may not GET /api/tokens: it needs admin\n");

        CliAgainstEngineTest.Result revoked = CliAgainstEngineTest.run(admin, "token", "revoke", "alice");
        assertThat(revoked.code()).isZero();
        assertThat(revoked.out()).startsWith("Revoked token 'alice' at ").endsWith(": it no longer works.\n");
        CliAgainstEngineTest.Result refused = CliAgainstEngineTest.run(as(token), "list");
        assertThat(refused.code()).isEqualTo(EngineClient.UNAUTHORIZED);
        assertThat(refused.err()).startsWith("error: the engine refused the API token (token 'alice' was revoked at ");
        assertThat(CliAgainstEngineTest.run(admin, "token", "list").out()).contains("revoked");
    }

    @Test
    void revokingAnUnknownNameIsNotFound() {
        CliAgainstEngineTest.Result r = CliAgainstEngineTest.run(admin, "token", "revoke", "nobody");
        assertThat(r.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(r.err()).isEqualTo("error: no token named 'nobody'\n");
    }

    @Test
    void readsWithoutATokenAreRefusedBeforeAsking() {
        CliAgainstEngineTest.Result r = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", TestEngine.base(engine),
                "RUNBOOK_DATA_DIR", dir.resolve("nowhere").toString()), "list");
        assertThat(r.code()).isEqualTo(EngineClient.UNAUTHORIZED);
        assertThat(r.err()).isEqualTo("error: GET /api/jobs needs the API token: set RUNBOOK_API_TOKEN (or run where"
                + " data/api-token is readable)\n");
    }

    @Test
    void theRoleIsRequired() {
        CliAgainstEngineTest.Result r = CliAgainstEngineTest.run(admin, "token", "create", "bob");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option: '--role=ROLE'");
    }
}
