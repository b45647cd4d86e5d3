package com.runbook.engine.cli;

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
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The remote commands against a real engine on the shipped runbooks. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliAgainstEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    Engine engine;
    Map<String, String> env;

    record Result(int code, String out, String err) {
    }

    /**
     * A run that logs, waits {@code pause} ms (0 by default) and logs again: a log to follow. The delay is synchronous:
     * after an asynchronous one (Camel's default) the run's log misses the line logged on the scheduler's thread.
     */
    static final String SLOW_STORY = """
            - parameters:
                - name: pause
                  type: integer
                  default: "0"
                  description: "how long the run waits between its two lines, in ms"
            - route:
                id: slow-story
                from:
                  uri: direct:slow-story
                  steps:
                    - log:
                        message: "slow-story: first line"
                    - delay:
                        asyncDelayed: false
                        simple: "${header.pause}"
                    - log:
                        message: "slow-story: last line"
            """;

    /** A run that sends to a remote endpoint (a port where nothing listens): a dry run records it in its plan. */
    static final String LEAKY_STORY = """
            - route:
                id: leaky-story
                from:
                  uri: direct:leaky-story
                  steps:
                    - to:
                        uri: "http://127.0.0.1:9/leak?httpMethod=POST"
            """;

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        TestEngine.scheduleEchoInNewYork(base);
        Files.writeString(base.resolve("routes/slow-story.camel.yaml"), SLOW_STORY);
        Files.writeString(base.resolve("routes/leaky-story.camel.yaml"), LEAKY_STORY);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
        env = Map.of("RUNBOOK_URL", TestEngine.base(engine), "RUNBOOK_API_TOKEN", TestEngine.TOKEN,
                "RUNBOOK_DATA_DIR", dir.resolve("no-data").toString(), "USER", "alice");
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RunbookCli.commandLine(env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    Result run(String... args) {
        return run(env, args);
    }

    Map<String, String> envWith(String key, String value) {
        Map<String, String> changed = new HashMap<>(env);
        if (value == null) {
            changed.remove(key);
        } else {
            changed.put(key, value);
        }
        return changed;
    }

    @Test
    void listShowsEveryJobWithNextFireInUtcAndItsZoneAligned() throws Exception {
        JsonNode api = JSON.readTree(TestEngine.get(engine, "/api/jobs").body());
        Result list = run("list");
        assertThat(list.code()).isZero();
        List<String> lines = list.out().lines().toList();
        assertThat(lines.get(0)).startsWith("JOB").contains("SCHEDULE", "ZONE", "NEXT FIRE (UTC)", "NEXT FIRE (LOCAL)", "LAST RUN");
        String echo = lines.stream().filter(l -> l.startsWith("echo-parameters")).findFirst().orElseThrow();
        String heartbeat = lines.stream().filter(l -> l.startsWith("heartbeat")).findFirst().orElseThrow();
        JsonNode echoJob = null;
        for (JsonNode job : api) {
            echoJob = job.get("id").asText().equals("echo-parameters") ? job : echoJob;
        }
        OffsetDateTime next = OffsetDateTime.parse(echoJob.get("nextFireUtc").asText());
        assertThat(echo).contains("0 30 16 ? * MON-FRI", "America/New_York",
                next.format(OpsCommands.UTC),
                next.atZoneSameInstant(ZoneId.of("America/New_York")).format(OpsCommands.LOCAL));
        assertThat(echo).contains(" 16:30:00 E"); // EST or EDT: 16:30 in New York
        assertThat(heartbeat).contains("every 1m", "UTC");
        // aligned: every column starts at the same offset as its header
        int zoneColumn = lines.get(0).indexOf("ZONE");
        assertThat(echo.indexOf("America/New_York")).isEqualTo(zoneColumn);
        assertThat(heartbeat.indexOf("UTC")).isEqualTo(zoneColumn);
        assertThat(list.out()).doesNotContain("\u001B[");

        Result json = run("list", "--json");
        assertThat(JSON.readTree(json.out()).size()).isEqualTo(api.size());
        assertThat(JSON.readTree(json.out()).findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(api.findValuesAsText("id"))
                .contains("echo-parameters", "heartbeat");
    }

    @Test
    void triggerWaitExitsWithTheRunsOutcome() throws Exception {
        Result ok = run("trigger", "heartbeat", "--wait");
        assertThat(ok.code()).as(ok.err()).isZero();
        String runId = ok.out().replaceAll("(?s)^Run (\\d+) of heartbeat started.*", "$1");
        assertThat(ok.out()).contains("Run " + runId + " of heartbeat succeeded in ");
        assertThat(JSON.readTree(TestEngine.get(engine, "/api/runs/" + runId).body()).get("status").asText())
                .isEqualTo("succeeded");

        Result failed = run("trigger", "echo-parameters", "--wait", "-p", "fail=true");
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.out()).containsPattern("Run \\d+ of echo-parameters failed in \\d+ ms: "
                + "IllegalStateException: failing on request \\(fail=true\\)");

        Result json = run("trigger", "echo-parameters", "--wait", "--json", "-p", "note=from-cli");
        assertThat(json.code()).isZero();
        JsonNode run = JSON.readTree(json.out());
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("trigger").asText()).isEqualTo("manual");
        assertThat(run.get("job").asText()).isEqualTo("echo-parameters");

        Result noWait = run("trigger", "heartbeat");
        assertThat(noWait.code()).isZero();
        assertThat(noWait.out()).matches("Run (\\d+) of heartbeat started; follow it with: runbook logs \\1 --follow\\R");
    }

    @Test
    void historyListsRunsNewestFirstWithDurationsAndErrors() throws Exception {
        assertThat(run("trigger", "echo-parameters", "--wait", "-p", "fail=true").code()).isEqualTo(1);
        assertThat(run("trigger", "echo-parameters", "--wait").code()).isZero();
        Result history = run("history", "echo-parameters", "--limit", "2");
        assertThat(history.code()).isZero();
        List<String> lines = history.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("RUN").contains("JOB", "TRIGGER", "STARTED (UTC)", "DURATION", "STATUS", "ERROR");
        assertThat(lines.get(1)).contains("echo-parameters", "manual", "succeeded").containsPattern("\\d+ ms");
        assertThat(lines.get(2)).contains("failed", "IllegalStateException: failing on request (fail=true)");
        JsonNode api = JSON.readTree(TestEngine.get(engine, "/api/runs?job=echo-parameters&limit=2").body());
        assertThat(lines.get(1)).startsWith(api.get(0).get("id").asText() + " ");
        assertThat(lines.get(2)).startsWith(api.get(1).get("id").asText() + " ");

        Result json = run("history", "--json", "-n", "1");
        assertThat(JSON.readTree(json.out()).size()).isEqualTo(1);

        Result none = run("history", "no-such-job");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo("no runs of no-such-job yet\n");
    }

    @Test
    void errorsAreOneClearLineWithTheirExitStatus() throws Exception {
        int port = TestEngine.freePort();
        Result down = run(envWith("RUNBOOK_URL", "http://127.0.0.1:" + port), "list");
        assertThat(down.code()).isEqualTo(EngineClient.UNREACHABLE);
        assertThat(down.err()).isEqualTo("error: cannot reach the engine at http://127.0.0.1:" + port
                + " (connection refused); is it running? (set RUNBOOK_URL to point elsewhere)\n");

        Result wrongToken = run(envWith("RUNBOOK_API_TOKEN", "not-the-token"), "trigger", "heartbeat");
        assertThat(wrongToken.code()).isEqualTo(EngineClient.UNAUTHORIZED);
        assertThat(wrongToken.err()).isEqualTo("error: the engine refused the API token (invalid bearer token); "
                + "set RUNBOOK_API_TOKEN to a valid token (your own from 'runbook token create', or the engine's"
                + " bootstrap token)\n");

        Result noToken = run(envWith("RUNBOOK_API_TOKEN", null), "trigger", "heartbeat");
        assertThat(noToken.code()).isEqualTo(EngineClient.UNAUTHORIZED);
        assertThat(noToken.err()).isEqualTo("error: POST /api/jobs/heartbeat/run needs the API token: set "
                + "RUNBOOK_API_TOKEN (or run where data/api-token is readable)\n");

        Result unknownJob = run("trigger", "no-such-job", "--wait");
        assertThat(unknownJob.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(unknownJob.err()).isEqualTo("error: no job 'no-such-job' (see GET /api/jobs)\n");

        Result badUsage = run("trigger");
        assertThat(badUsage.code()).isEqualTo(2);
        assertThat(badUsage.err()).startsWith("Missing required parameter: 'JOB'");
    }

    @Test
    void theTokenFileOfALocalEngineIsUsedWhenNoTokenIsSet() throws Exception {
        Path data = Files.createDirectories(dir.resolve("local-data"));
        Files.writeString(data.resolve("api-token"), TestEngine.TOKEN + "\n");
        Map<String, String> local = envWith("RUNBOOK_API_TOKEN", null);
        local.put("RUNBOOK_DATA_DIR", data.toString());
        assertThat(run(local, "trigger", "heartbeat", "--wait").code()).isZero();
    }

    /** Incidents, ack and windows on an engine that does not serve them (yet): a clear 404 line, exit status 5. */
    @Test
    void incidentCommandsOnAnEngineWithoutThoseEndpointsSaySo() {
        String url = TestEngine.base(engine) + "/no-such-prefix";
        Map<String, String> elsewhere = envWith("RUNBOOK_URL", url);
        Result incidents = run(elsewhere, "incidents", "--open");
        assertThat(incidents.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(incidents.err()).isEqualTo("error: the engine at " + url + " has no GET /api/incidents (404): "
                + "the feature behind it is not installed on that engine\n");
        Result windows = run(elsewhere, "windows", "--json");
        assertThat(windows.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(windows.err()).isEqualTo("error: the engine at " + url + " has no GET /api/windows (404): "
                + "the feature behind it is not installed on that engine\n");
        Result ack = run(elsewhere, "ack", "12");
        assertThat(ack.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(ack.err()).isEqualTo("error: the engine at " + url + " has no POST /api/incidents/12/ack (404): "
                + "the feature behind it is not installed on that engine\n");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"list", "trigger", "history", "incidents", "ack", "windows", "run", "validate",
                "show", "logs", "schedules"}) {
            Result help = run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: runbook " + command).contains("-h, --help");
        }
        assertThat(run("--help").out()).contains("RUNBOOK_URL", "RUNBOOK_API_TOKEN", "Exit status");
    }

    static String runId(Result started) {
        return started.out().replaceAll("(?s)^(?:Dry run|Run) (\\d+) of .*", "$1");
    }

    @Test
    void showTellsARunsStoryStepByStepAndLogsPrintsItsLines() throws Exception {
        Result done = run("trigger", "echo-parameters", "--wait", "-p", "note=told");
        assertThat(done.code()).as(done.err()).isZero();
        String id = runId(done);
        JsonNode api = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
        assertThat(api.get("steps").size()).isPositive();

        Result show = run("show", id);
        assertThat(show.code()).as(show.err()).isZero();
        System.out.println("runbook show " + id + ":\n" + show.out());
        List<String> lines = show.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Run " + id + " of echo-parameters: succeeded");
        assertThat(show.out()).contains("  trigger   manual\n", "  node      " + api.get("node").asText() + "\n",
                "Timeline (" + api.get("steps").size() + " step", "routes/echo-parameters.camel.yaml:",
                "Log: runbook logs " + id + "\n").doesNotContain("Plan");
        // one row per step, in order, each with its bar
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("#  STEP")).findFirst().orElseThrow());
        for (int i = 0; i < api.get("steps").size(); i++) {
            JsonNode step = api.get("steps").get(i);
            assertThat(lines.get(header + 1 + i)).startsWith(step.get("seq").asText() + " ")
                    .contains(" " + step.get("node").asText() + " ", " " + step.get("kind").asText() + " ", "|", "#");
        }
        assertThat(JSON.readTree(run("show", id, "--json").out()).get("steps")).isEqualTo(api.get("steps"));

        Result logs = run("logs", id);
        assertThat(logs.code()).as(logs.err()).isZero();
        assertThat(logs.out()).containsPattern("(?m)^\\S+ INFO \\S+ - echo-parameters: note=told$");
        assertThat(logs.out()).isEqualTo(TestEngine.get(engine, "/api/runs/" + id + "/log").body());
        // a finished run: --follow prints the same and ends
        assertThat(run("logs", id, "--follow").out()).isEqualTo(logs.out());

        Result unknown = run("show", "987654");
        assertThat(unknown.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(unknown.err()).isEqualTo("error: no run with id 987654\n");
        assertThat(run("logs", "987654").err()).isEqualTo("error: no run with id 987654\n");
    }

    @Test
    void logsFollowTailsARunningRunUntilItEnds() throws Exception {
        Result started = run("trigger", "slow-story", "-p", "pause=1500");
        assertThat(started.code()).as(started.err()).isZero();
        String id = runId(started);
        assertThat(started.out()).isEqualTo("Run " + id + " of slow-story started; follow it with: runbook logs " + id + " --follow\n");
        Result follow = run("logs", id, "--follow");
        assertThat(follow.code()).as(follow.err()).isZero();
        assertThat(follow.out()).containsSubsequence("slow-story: first line", "slow-story: last line");
        // it ended when the run did, with every line once
        assertThat(JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body()).get("status").asText()).isEqualTo("succeeded");
        assertThat(follow.out().lines().filter(l -> l.contains("slow-story: ")).count()).isEqualTo(2);
    }

    @Test
    void triggerDryRunRehearsesAndPrintsThePlan() throws Exception {
        Result dry = run("trigger", "leaky-story", "--dry-run", "--wait");
        assertThat(dry.code()).as(dry.out() + dry.err()).isZero();
        String id = runId(dry);
        assertThat(dry.out()).startsWith("Dry run " + id + " of leaky-story started, waiting for it to end...\n"
                + "Dry run " + id + " of leaky-story succeeded in ").contains("A real run would do (1 effect, none performed):\n#  KIND");
        JsonNode api = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
        assertThat(api.get("trigger").asText()).isEqualTo("dry-run");
        assertThat(api.get("dryRun").asBoolean()).isTrue();
        assertThat(api.get("plan")).hasSize(1);
        assertThat(dry.out()).contains(api.get("plan").get(0).get("effect").asText());

        Result show = run("show", id);
        assertThat(show.out()).startsWith("Dry run " + id + " of leaky-story: succeeded\n")
                .contains("  trigger   dry-run\n", "Plan: what a real run would do (1 effect, none performed)\n",
                        api.get("plan").get(0).get("effect").asText());

        Result noWait = run("trigger", "heartbeat", "--dry-run");
        assertThat(noWait.code()).isZero();
        String heartbeat = runId(noWait);
        assertThat(noWait.out()).isEqualTo("Dry run " + heartbeat + " of heartbeat started; see its plan with: runbook show " + heartbeat + "\n");
        JsonNode json = JSON.readTree(run("trigger", "heartbeat", "--dry-run", "--json").out());
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("status").asText()).isEqualTo("running");
    }

    @Test
    void historyFiltersByStatus() throws Exception {
        assertThat(run("trigger", "echo-parameters", "--wait", "-p", "fail=true").code()).isEqualTo(1);
        Result failed = run("history", "--status", "failed", "-n", "50");
        assertThat(failed.code()).isZero();
        List<String> rows = failed.out().lines().skip(1).toList();
        assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row).contains(" failed "));
        Result bad = run("history", "--status", "broken");
        assertThat(bad.code()).isEqualTo(EngineClient.REFUSED);
        assertThat(bad.err()).startsWith("error: GET /api/runs?limit=20&status=broken failed with 400: ");
    }
}
