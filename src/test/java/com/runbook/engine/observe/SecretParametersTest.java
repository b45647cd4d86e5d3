package com.runbook.engine.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A parameter declared {@code secret: true}: its value never shows in what the engine keeps or shows of the run, its
 * parameters ({@code ****}), its log (whoever logged it: the route, a log endpoint dumping the headers, a stack
 * trace) and its error, however the run ends.
 */
@org.junit.jupiter.api.Tag("db")
class SecretParametersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "hunter2-s3cr3t";

    private static final String JOB = """
            - parameters:
                - name: password
                  secret: true
                  required: true
                - name: user
            - route:
                id: secret-job
                from:
                  uri: direct:secret-job
                  steps:
                    - log: "logging in as ${header.user} with ${header.password}"
                    - to:
                        uri: "log:secret-job?showHeaders=true"
                    - filter:
                        simple: "${header.RunbookTrigger} == 'dry-run'"
                        steps:
                          - setHeader:
                              name: CamelHttpMethod
                              constant: POST
                          - toD:
                              uri: "http://127.0.0.1:9/login/${header.password}"
                    - filter:
                        simple: "${header.user} == 'fail'"
                        steps:
                          - throwException:
                              exceptionType: java.lang.IllegalStateException
                              message: "login refused for ${header.password}"
            """;

    @TempDir
    Path dir;

    @Test
    void aSecretParametersValueIsMaskedInTheRunsParametersLogAndError() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        Files.writeString(base.resolve("routes/secret-job.camel.yaml"), JOB);
        // what the engine writes: log4j2-test.xml's file appender (the console's lines, shared by the tests)
        Path written = Path.of("target/test-engine.log");
        long before = Files.exists(written) ? Files.size(written) : 0;
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of())) {
            long ok = run(engine, "ops");
            long failed = run(engine, "fail");
            await().atMost(Duration.ofSeconds(30)).until(() -> since(written, before).contains("of secret-job failed"));
            assertThat(since(written, before)).contains("Run " + failed + " of secret-job failed")
                    .contains("login refused for ****").doesNotContain(SECRET);
            for (long id : List.of(ok, failed)) {
                JsonNode detail = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
                assertThat(detail.get("params").get("password").asText()).isEqualTo("****");
                String log = TestEngine.get(engine, "/api/runs/" + id + "/log").body();
                assertThat(log).contains("with ****").doesNotContain(SECRET);
                assertThat(detail.toString()).doesNotContain(SECRET);
                assertThat(TestEngine.get(engine, "/api/runs/" + id + "/log?format=json").body()).doesNotContain(SECRET);
            }
            // a dry run's plan: what it would send (a POST: an effect, recorded, not sent), the secret masked
            HttpResponse<String> rehearsed = TestEngine.post(engine, "/api/jobs/secret-job/run", TestEngine.TOKEN,
                    "{\"user\":\"ops\",\"password\":\"" + SECRET + "\",\"dryRun\":true}");
            long dry = JSON.readTree(rehearsed.body()).get("runId").asLong();
            await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(JSON.readTree(
                    TestEngine.get(engine, "/api/runs/" + dry).body()).get("status").asText()));
            JsonNode plan = JSON.readTree(TestEngine.get(engine, "/api/runs/" + dry).body()).get("plan");
            assertThat(plan.toString()).contains("/login/****").doesNotContain(SECRET);

            JsonNode failure = JSON.readTree(TestEngine.get(engine, "/api/runs/" + failed).body());
            assertThat(failure.get("status").asText()).isEqualTo("failed");
            assertThat(failure.get("error").asText()).isEqualTo("IllegalStateException: login refused for ****");
            assertThat(TestEngine.get(engine, "/api/runs/" + failed + "/log").body())
                    .contains("java.lang.IllegalStateException: login refused for ****");
            // what the engine keeps: no stored line, row or parameter holds the value
            JdbcTemplate db = new JdbcTemplate(engine.dataSource());
            assertThat(db.queryForObject("select count(*) from run_log_line where message like ?", Long.class,
                    "%" + SECRET + "%")).isZero();
            assertThat(db.queryForObject("select count(*) from run_log_line where run_id in (?, ?)", Long.class,
                    ok, failed)).isPositive();
            assertThat(db.queryForList("select * from job_run where id in (?, ?)", ok, failed).toString())
                    .doesNotContain(SECRET);
        }
    }

    /** What was written to {@code file} after its first {@code from} bytes. */
    private static String since(Path file, long from) throws Exception {
        byte[] all = Files.readAllBytes(file);
        return new String(all, (int) from, all.length - (int) from, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static long run(Engine engine, String user) throws Exception {
        HttpResponse<String> started = TestEngine.post(engine, "/api/jobs/secret-job/run", TestEngine.TOKEN,
                "{\"user\":\"" + user + "\",\"password\":\"" + SECRET + "\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long id = JSON.readTree(started.body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(JSON.readTree(
                TestEngine.get(engine, "/api/runs/" + id).body()).get("status").asText()));
        return id;
    }
}
