package com.runbook.engine.definition;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Live reload: valid edits apply within 2 s, invalid ones are refused and the running version stays. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RELOAD = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    Engine engine;
    Path base;

    @BeforeAll
    void start() throws Exception {
        base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private static String probe(String step) {
        return """
                - route:
                    id: reload-probe
                    from:
                      uri: direct:reload-probe
                      steps:
                """ + step;
    }

    /** Runs the probe job and returns its final status. */
    private String runProbe() throws Exception {
        long id = JSON.readTree(post(engine, "/api/jobs/reload-probe/run", TOKEN, "").body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> !status(id).equals("running"));
        return status(id);
    }

    private String status(long id) throws Exception {
        return JSON.readTree(get(engine, "/api/runs/" + id).body()).get("status").asText();
    }

    private JsonNode reloadStatus() throws Exception {
        return JSON.readTree(get(engine, "/api/reload").body());
    }

    private boolean hasJob(String id) throws Exception {
        for (JsonNode job : JSON.readTree(get(engine, "/api/jobs").body())) {
            if (job.get("id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void validEditsApplyAndInvalidEditsAreRefusedWithTheOldVersionKept() throws Exception {
        Path file = base.resolve("routes/reload-probe.camel.yaml");
        Files.writeString(file, probe("        - log: \"v1\"\n"));
        await().atMost(RELOAD).until(() -> hasJob("reload-probe"));
        assertThat(runProbe()).isEqualTo("succeeded");

        Files.writeString(file, probe("""
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "v2 fails"
                """));
        await().atMost(RELOAD).until(() -> runProbe().equals("failed"));
        assertThat(reloadStatus().get("status").asText()).isEqualTo("applied");

        // an unknown DSL key: refused, v2 keeps running
        Files.writeString(file, probe("        - lgo: \"v3\"\n"));
        await().atMost(RELOAD).until(() -> reloadStatus().get("status").asText().equals("refused"));
        JsonNode refused = reloadStatus();
        assertThat(refused.get("file").asText()).isEqualTo("routes/reload-probe.camel.yaml");
        assertThat(refused.get("problems").get(0).asText()).startsWith("routes/reload-probe.camel.yaml:6:");
        assertThat(runProbe()).isEqualTo("failed");
        assertThat(hasJob("reload-probe")).isTrue();
    }

    @Test
    void anInvalidScheduleEditLeavesThePreviousScheduleInForce() throws Exception {
        Path file = base.resolve("schedules/heartbeat.yaml");
        String before = JSON.readTree(get(engine, "/api/jobs").body()).toString();
        assertThat(before).contains("every 1m");

        Files.writeString(file, "job: heartbeat\ncron: \"0 0 25 * * ?\"\n");
        await().atMost(RELOAD).until(() -> reloadStatus().get("file").asText().equals("schedules/heartbeat.yaml")
                && reloadStatus().get("status").asText().equals("refused"));
        assertThat(reloadStatus().get("problems").get(0).asText()).startsWith("schedules/heartbeat.yaml:2:7: invalid cron");
        assertThat(engine.scheduler().nextFire("heartbeat")).isNotNull();

        Files.writeString(file, "job: heartbeat\ncron: \"0 0 2 * * ?\"\nenabled: false\n");
        // the trigger goes before the outcome is recorded: wait for both
        await().atMost(RELOAD).until(() -> engine.scheduler().nextFire("heartbeat") == null
                && reloadStatus().get("status").asText().equals("applied"));

        Files.writeString(file, "job: heartbeat\ncron: \"0 0 2 * * ?\"\n");
        await().atMost(RELOAD).until(() -> engine.scheduler().nextFire("heartbeat") != null);
    }

    /** What validate says of the folders (other tests of this class may have left a file refused). */
    private List<String> validate() throws Exception {
        return com.runbook.engine.cli.RunbookCli.validate(base).stream().map(Problem::toString).toList();
    }

    private List<String> enginesProblems() {
        return engine.runbooks().states().stream().flatMap(s -> s.problems().stream()).sorted().toList();
    }

    @Test
    void deletingARouteAndThenItsScheduleLeavesExactlyWhatTheFoldersSay() throws Exception {
        Path route = base.resolve("routes/echo-parameters.camel.yaml");
        Path schedule = base.resolve("schedules/echo-parameters.yaml");
        String text = Files.readString(route);
        Files.writeString(schedule, "job: echo-parameters\nevery: 1h\n");
        await().atMost(RELOAD).until(() -> engine.scheduler().nextFire("echo-parameters") != null);

        // the route goes: its job goes with it, and the schedule that names it is refused (and no longer fires)
        Files.delete(route);
        await().atMost(RELOAD).until(() -> !hasJob("echo-parameters"));
        await().atMost(RELOAD).until(() -> engine.runbooks().refusedFiles().contains("schedules/echo-parameters.yaml"));
        assertThat(engine.runbooks().states()).filteredOn(s -> s.file().equals("schedules/echo-parameters.yaml"))
                .singleElement().satisfies(s -> {
                    assertThat(s.problems()).containsExactly("schedules/echo-parameters.yaml:1:1: schedule names job"
                            + " 'echo-parameters' but no route in routes/ has that id and reads from direct:echo-parameters");
                    assertThat(s.previousVersionRunning()).isFalse();
                });
        assertThat(engine.scheduler().nextFire("echo-parameters")).isNull();
        assertThat(validate()).isEqualTo(enginesProblems());

        // then the schedule goes too: nothing of echo-parameters is left, and validate agrees
        Files.delete(schedule);
        await().atMost(RELOAD).until(() -> !engine.runbooks().refusedFiles().contains("schedules/echo-parameters.yaml"));
        assertThat(hasJob("echo-parameters")).isFalse();
        assertThat(post(engine, "/api/jobs/echo-parameters/run", TOKEN, "").statusCode()).isEqualTo(404);
        assertThat(engine.runbooks().states()).noneMatch(s -> s.file().contains("echo-parameters"));
        assertThat(validate()).isEqualTo(enginesProblems()).noneMatch(p -> p.contains("echo-parameters"));

        Files.writeString(route, text);
        await().atMost(RELOAD).until(() -> hasJob("echo-parameters"));
    }

    @Test
    void theRoleToRunAJobFollowsItsFileAndARefusedVersionKeepsTheRoleInForce() throws Exception {
        Path file = base.resolve("routes/guarded-probe.camel.yaml");
        String route = probe("        - log: \"guarded\"\n").replace("reload-probe", "guarded-probe");
        Files.writeString(file, "- access:\n    run: admin\n" + route);
        await().atMost(RELOAD).until(() -> engine.runbooks().roleOf("guarded-probe") == Role.ADMIN);

        Files.writeString(file, "- access:\n    run: root\n" + route);
        await().atMost(RELOAD).until(() -> engine.runbooks().refusedFiles().contains("routes/guarded-probe.camel.yaml"));
        assertThat(engine.runbooks().states()).filteredOn(s -> s.file().equals("routes/guarded-probe.camel.yaml"))
                .singleElement().satisfies(s -> assertThat(s.problems()).containsExactly("routes/guarded-probe.camel.yaml:2:10:"
                        + " unknown role 'root' for 'run' (expected one of: operator, admin)"));
        assertThat(engine.runbooks().roleOf("guarded-probe")).isEqualTo(Role.ADMIN);

        Files.writeString(file, route);
        await().atMost(RELOAD).until(() -> engine.runbooks().roleOf("guarded-probe") == Role.OPERATOR);
        assertThat(engine.runbooks().roleOf("no-such-job")).isEqualTo(Role.OPERATOR);
    }
}
