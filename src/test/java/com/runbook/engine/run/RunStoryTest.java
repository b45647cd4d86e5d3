package com.runbook.engine.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every run tells its story (issue 22): its step timeline and its log, in {@code GET /api/runs/{id}} and
 * {@code GET /api/runs/{id}/log}, kept with the run; a failed run logs one WARN line, not Camel's dump.
 */
@Tag("db")
class RunStoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** A job that logs, splits three parts, sends to a log endpoint with a secret, and fails when asked to. */
    private static final String STORY_JOB = """
            - route:
                id: story-job
                from:
                  uri: direct:story-job
                  steps:
                    - log:
                        id: greet
                        message: "story begins for ${header.who}"
                    - setBody:
                        constant: "a,b,c"
                    - split:
                        tokenize: ","
                        steps:
                          - log:
                              id: part
                              message: "part ${body}"
                    - to:
                        uri: "log:story?level=DEBUG&showHeaders=true"
                    - filter:
                        simple: "${header.fail} == 'true'"
                        steps:
                          - throwException:
                              id: boom
                              exceptionType: java.lang.IllegalStateException
                              message: "failing on request"
            """;

    /** A job that logs more lines than a run's log keeps. */
    private static final String CHATTY_JOB = """
            - route:
                id: chatty-job
                from:
                  uri: direct:chatty-job
                  steps:
                    - loop:
                        constant: 2500
                        steps:
                          - log:
                              id: chat
                              message: "line ${exchangeProperty.CamelLoopIndex}"
            """;

    /** A job that logs, then waits at a gate the test opens. */
    private static final String GATED_JOB = """
            - route:
                id: gated-job
                from:
                  uri: direct:gated-job
                  steps:
                    - log:
                        message: "waiting at the gate"
                    - bean:
                        ref: gate
                        method: pass
                    - log:
                        message: "through the gate"
            """;

    /** A job whose first step records an effect in a dry run's plan instead of acting, and whose second only reads. */
    private static final String REHEARSED_JOB = """
            - route:
                id: rehearsed-job
                from:
                  uri: direct:rehearsed-job
                  steps:
                    - bean:
                        id: mail
                        ref: rehearsal
                        method: mail
                    - bean:
                        id: read
                        ref: rehearsal
                        method: read
            """;

    /** An engine side effect with dry-run handling, and a read. */
    public static final class Rehearsal {
        @com.runbook.engine.core.DryRunSafe
        public void mail() {
            com.runbook.engine.core.DryRun.current().orElseThrow()
                    .wouldDo("email", "email to ops@example.com: subject hello");
        }

        @com.runbook.engine.core.DryRunSafe
        public String read() {
            return "read only";
        }
    }

    /** What {@code gated-job} waits on. */
    public static final class Gate {
        private final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);

        public void pass() throws InterruptedException {
            open.await(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private Path base() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        Files.writeString(base.resolve("routes/story-job.camel.yaml"), STORY_JOB);
        Files.writeString(base.resolve("routes/chatty-job.camel.yaml"), CHATTY_JOB);
        Files.writeString(base.resolve("routes/gated-job.camel.yaml"), GATED_JOB);
        Files.writeString(base.resolve("routes/rehearsed-job.camel.yaml"), REHEARSED_JOB);
        return base;
    }

    private static long start(Engine engine, String job, String body) throws Exception {
        HttpResponse<String> started = TestEngine.post(engine, "/api/jobs/" + job + "/run", TestEngine.TOKEN, body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        return JSON.readTree(started.body()).get("runId").asLong();
    }

    private static JsonNode ended(Engine engine, long id) throws Exception {
        await().atMost(WAIT).until(() -> !"running".equals(detail(engine, id).get("status").asText()));
        return detail(engine, id);
    }

    private static JsonNode detail(Engine engine, long id) throws Exception {
        HttpResponse<String> r = TestEngine.get(engine, "/api/runs/" + id);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** What was written to {@code file} after its first {@code from} bytes. */
    private static String since(Path file, long from) throws Exception {
        byte[] all = Files.readAllBytes(file);
        return new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
    }

    private static Map<String, JsonNode> stepsByNode(JsonNode run) {
        Map<String, JsonNode> steps = new java.util.LinkedHashMap<>();
        run.get("steps").forEach(s -> steps.put(s.get("node").asText(), s));
        return steps;
    }

    @Test
    void aRunKeepsItsTimelineAndItsLog() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of())) {
            long id = start(engine, "story-job", "{\"who\":\"ops\"}");
            JsonNode run = ended(engine, id);

            assertThat(run.get("status").asText()).isEqualTo("succeeded");
            assertThat(run.get("dryRun").asBoolean()).isFalse();
            assertThat(run.get("plan")).isEmpty();
            assertThat(run.get("log").asText()).isEqualTo("/api/runs/" + id + "/log");
            List<String> kinds = new ArrayList<>();
            run.get("steps").forEach(s -> kinds.add(s.get("kind").asText()));
            assertThat(kinds).containsExactly("log", "setBody", "split", "log", "to", "filter");
            Map<String, JsonNode> steps = stepsByNode(run);
            JsonNode greet = steps.get("greet");
            assertThat(greet.get("seq").asInt()).isEqualTo(1);
            assertThat(greet.get("source").asText()).isEqualTo("routes/story-job.camel.yaml:6");
            assertThat(greet.get("outcome").asText()).isEqualTo("ok");
            assertThat(greet.get("count").asInt()).isEqualTo(1);
            assertThat(greet.get("startedAt").asText()).endsWith("Z");
            assertThat(greet.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(greet.get("uri").isNull()).isTrue();
            assertThat(steps.get("part").get("count").asInt()).as("a step inside a split, per part").isEqualTo(3);
            JsonNode to = run.get("steps").get(4);
            assertThat(to.get("uri").asText()).isEqualTo("log:story?level=DEBUG&showHeaders=true");
            assertThat(to.get("source").asText()).isEqualTo("routes/story-job.camel.yaml:17");
            assertThat(steps).doesNotContainKey("boom");

            HttpResponse<String> text = TestEngine.get(engine, "/api/runs/" + id + "/log");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            List<String> lines = text.body().lines().toList();
            assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z INFO com\\.runbook\\.engine\\.run\\.JobRunner"
                    + " - Run " + id + " of story-job started \\(manual, by token:bootstrap\\)");
            assertThat(lines).anyMatch(l -> l.endsWith(" INFO story-job.camel:6 - story begins for ops"))
                    .anyMatch(l -> l.endsWith(" - part b"))
                    .last().asString().endsWith(" - Run " + id + " of story-job succeeded");

            JsonNode page = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id + "/log?format=json&from=2").body());
            assertThat(page.get("lines").get(0).get("n").asInt()).isEqualTo(2);
            assertThat(page.get("lines").get(0).get("level").asText()).isEqualTo("INFO");
            assertThat(page.get("lines").get(0).get("logger").asText()).isEqualTo("story-job.camel:6");
            assertThat(page.get("lines").get(0).get("message").asText()).isEqualTo("story begins for ops");
            assertThat(page.get("next").asInt()).isEqualTo(lines.size() + 1);
            assertThat(page.get("running").asBoolean()).isFalse();
            assertThat(page.get("truncated").asBoolean()).isFalse();
            JsonNode rest = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id + "/log?format=json&from="
                    + page.get("next").asInt()).body());
            assertThat(rest.get("lines")).isEmpty();
            assertThat(rest.get("next").asInt()).isEqualTo(page.get("next").asInt());

            // kept with the run: read back from the database, as another node or a restarted engine does
            assertThat(engine.runs().story().live(id)).isEmpty();
            assertThat(engine.runs().steps(id)).hasSize(6);
        }
    }

    @Test
    void aFailedRunLogsOneWarnLineNamingItsStepAndKeepsTheDumpInItsOwnLog() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of())) {
            // what the engine writes: log4j2-test.xml's file appender (the console's lines, shared by the tests)
            Path written = Path.of("target/test-engine.log");
            long before = Files.exists(written) ? Files.size(written) : 0;
            long id = start(engine, "story-job", "{\"fail\":\"true\"}");
            ended(engine, id);
            await().atMost(WAIT).until(() -> since(written, before).contains("of story-job failed"));
            String engineOutput = since(written, before);
            List<String> about = engineOutput.lines().filter(l -> l.contains("job=story-job run=" + id + " ")).toList();
            assertThat(about).filteredOn(l -> l.contains(" WARN ") || l.contains(" ERROR ")).singleElement().asString()
                    .endsWith("Run " + id + " of story-job failed at boom (routes/story-job.camel.yaml:22):"
                            + " IllegalStateException: failing on request");
            assertThat(engineOutput).doesNotContain("Failed delivery").doesNotContain("Message History")
                    .doesNotContain("\tat ");

            JsonNode run = detail(engine, id);
            assertThat(run.get("error").asText()).isEqualTo("IllegalStateException: failing on request");
            Map<String, JsonNode> steps = stepsByNode(run);
            assertThat(steps.get("boom").get("outcome").asText()).isEqualTo("failed");
            assertThat(steps.get("greet").get("outcome").asText()).isEqualTo("ok");
            String log = TestEngine.get(engine, "/api/runs/" + id + "/log").body();
            assertThat(log).contains("Failed delivery").contains("Message History")
                    .contains(" WARN com.runbook.engine.run.JobRunner - Run " + id + " of story-job failed at boom")
                    .contains("java.lang.IllegalStateException: failing on request\n\tat ");
            assertThat(log.split("\tat org.apache.camel.processor.ThrowExceptionProcessor.process", -1))
                    .as("the stack trace once: Camel's report has it").hasSize(2);
        }
    }

    @Test
    void aRunsLogIsCappedAndSaysSo() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of())) {
            long id = start(engine, "chatty-job", "{}");
            JsonNode run = ended(engine, id);
            assertThat(stepsByNode(run).get("chat").get("count").asInt()).as("a step inside a loop").isEqualTo(2500);
            JsonNode log = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id + "/log?format=json").body());
            assertThat(log.get("lines")).hasSize(Story.MAX_LINES);
            assertThat(log.get("truncated").asBoolean()).isTrue();
            assertThat(TestEngine.get(engine, "/api/runs/" + id + "/log").body())
                    .endsWith("… the run logged more than is kept (2,000 lines / 1 MiB): the rest is not kept\n");
        }
    }

    @Test
    void theTimelineCanBeTurnedOffAndTheLogStays() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of("runbook.story.timeline", "false"))) {
            long id = start(engine, "story-job", "{\"who\":\"ops\"}");
            JsonNode run = ended(engine, id);
            assertThat(run.get("steps")).isEmpty();
            assertThat(TestEngine.get(engine, "/api/runs/" + id + "/log").body()).contains("story begins for ops");
        }
    }

    @Test
    void theHistoryFiltersByStatusAndAnUnknownRunHasNoLog() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of())) {
            long ok = start(engine, "story-job", "{}");
            ended(engine, ok);
            long failed = start(engine, "story-job", "{\"fail\":\"true\"}");
            ended(engine, failed);

            JsonNode onlyFailed = JSON.readTree(TestEngine.get(engine, "/api/runs?job=story-job&status=failed").body());
            assertThat(onlyFailed).extracting(r -> r.get("id").asLong()).containsExactly(failed);
            JsonNode onlySucceeded = JSON.readTree(TestEngine.get(engine, "/api/runs?status=succeeded").body());
            assertThat(onlySucceeded).extracting(r -> r.get("id").asLong()).containsExactly(ok);

            HttpResponse<String> bad = TestEngine.get(engine, "/api/runs?status=broken");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("error").asText())
                    .isEqualTo("status must be one of running, succeeded, failed, skipped, not 'broken'");

            HttpResponse<String> none = TestEngine.get(engine, "/api/runs/999999/log");
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("no run with id 999999");
        }
    }

    @Test
    void aRunningRunsLogAndStepsCanBeFollowed() throws Exception {
        Gate gate = new Gate();
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of(), Map.of("gate", gate))) {
            long id = start(engine, "gated-job", "{}");
            String follow = "/api/runs/" + id + "/log?format=json&from=";
            await().atMost(WAIT).until(() -> JSON.readTree(TestEngine.get(engine, follow + 1).body()).get("lines")
                    .toString().contains("waiting at the gate"));
            JsonNode page = JSON.readTree(TestEngine.get(engine, follow + 1).body());
            assertThat(page.get("running").asBoolean()).isTrue();
            assertThat(page.get("lines")).hasSize(2);
            int next = page.get("next").asInt();
            assertThat(next).isEqualTo(3);
            JsonNode running = detail(engine, id);
            assertThat(running.get("status").asText()).isEqualTo("running");
            assertThat(stepsByNode(running).values()).extracting(s -> s.get("kind").asText()).containsExactly("log", "bean");

            gate.open.countDown();
            ended(engine, id);
            JsonNode rest = JSON.readTree(TestEngine.get(engine, follow + next).body());
            assertThat(rest.get("running").asBoolean()).isFalse();
            assertThat(rest.get("lines")).extracting(l -> l.get("message").asText())
                    .containsExactly("through the gate", "Run " + id + " of gated-job succeeded");
            assertThat(rest.get("lines").get(0).get("n").asInt()).isEqualTo(next);
        }
    }

    @Test
    void aStepThatAddedToADryRunsPlanWasRehearsed() throws Exception {
        try (Engine engine = TestEngine.start(base(), dir.resolve("data"), Map.of(), Map.of("rehearsal", new Rehearsal()))) {
            JsonNode run = ended(engine, start(engine, "rehearsed-job", "{\"dryRun\": true}"));
            Map<String, JsonNode> steps = stepsByNode(run);
            assertThat(run.get("plan").get(0).get("effect").asText()).isEqualTo("email to ops@example.com: subject hello");
            assertThat(steps.get("mail").get("outcome").asText()).isEqualTo("rehearsed");
            assertThat(steps.get("read").get("outcome").asText()).isEqualTo("ok");
        }
    }
}
