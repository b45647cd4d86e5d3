package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code runbook show} rendering from JSON shaped like {@code GET /api/runs/{id}}, and {@code runbook logs [--follow]}
 * against an HTTP server answering {@code GET /api/runs/{id}/log?format=json&from=N} as the contract says.
 */
class RunCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static final String DRY_RUN = "{'id': 43, 'job': 'nightly-backup', 'trigger': 'dry-run', 'node': 'node-a',"
            + " 'startedAt': '2026-12-06T02:00:00Z', 'finishedAt': '2026-12-06T02:00:02Z', 'durationMs': 2000,"
            + " 'status': 'succeeded', 'error': null, 'attempt': 1, 'scheduledFor': null, 'scheduleId': null,"
            + " 'params': {'source': 'engine-db'}, 'dryRun': true,"
            + " 'steps': [{'seq': 1, 'node': 'dump', 'kind': 'bean', 'uri': null, 'source': 'routes/nightly-backup.camel.yaml:12',"
            + "   'startedAt': '2026-12-06T02:00:00Z', 'durationMs': 1500, 'outcome': 'ok', 'count': 1},"
            + "  {'seq': 2, 'node': 'mail', 'kind': 'to', 'uri': 'smtp://mail:25?password=xxxxxx',"
            + "   'source': 'routes/nightly-backup.camel.yaml:20', 'startedAt': '2026-12-06T02:00:01.500Z', 'durationMs': 500,"
            + "   'outcome': 'rehearsed', 'count': 3}],"
            + " 'plan': [{'kind': 's3', 'effect': 'delete s3://bucket/backups/engine-db/2026-11-02/x.gz (retention)'},"
            + "  {'kind': 'email', 'effect': 'email to ops@example.com: subject Backup done'}],"
            + " 'log': '/api/runs/43/log'}";

    @Test
    void showPrintsTheRunItsTimelineAsBarsAndTheDryRunsPlan() throws Exception {
        assertThat(RunCommands.render(json(DRY_RUN), Ansi.OFF)).isEqualTo(
                "Dry run 43 of nightly-backup: succeeded\n"
              + "  trigger   dry-run\n"
              + "  node      node-a\n"
              + "  started   2026-12-06 02:00:00Z\n"
              + "  finished  2026-12-06 02:00:02Z\n"
              + "  duration  2.0 s\n"
              + "  params    source=engine-db\n"
              + "\n"
              + "Timeline (2 steps)\n"
              + "#  STEP  KIND  AT      TOOK    " + " ".repeat(28) + "OUTCOME    COUNT  SOURCE                               URI\n"
              + "1  dump  bean  +0 ms   1.5 s   |##################......|  ok         1      routes/nightly-backup.camel.yaml:12  -\n"
              + "2  mail  to    +1.5 s  500 ms  |..................######|  rehearsed  3      routes/nightly-backup.camel.yaml:20  smtp://mail:25?password=xxxxxx\n"
              + "\n"
              + "Plan: what a real run would do (2 effects, none performed)\n"
              + "#  KIND   WOULD\n"
              + "1  s3     delete s3://bucket/backups/engine-db/2026-11-02/x.gz (retention)\n"
              + "2  email  email to ops@example.com: subject Backup done\n"
              + "\n"
              + "Log: runbook logs 43\n");
    }

    @Test
    void aRealRunHasNoPlanAndARunningOneSaysWhereToFollowIt() throws Exception {
        String text = RunCommands.render(json("{'id': 7, 'job': 'heartbeat', 'trigger': 'schedule', 'node': 'n1',"
                + " 'startedAt': '2026-12-06T02:00:00Z', 'finishedAt': null, 'durationMs': null, 'status': 'running',"
                + " 'error': null, 'attempt': 2, 'scheduledFor': '2026-12-06T02:00:00Z', 'scheduleId': 'heartbeat',"
                + " 'params': {}, 'dryRun': false, 'steps': [], 'plan': [], 'log': '/api/runs/7/log'}"), Ansi.OFF);
        assertThat(text).isEqualTo("Run 7 of heartbeat: running\n"
                + "  trigger   schedule (schedule heartbeat)\n"
                + "  node      n1\n"
                + "  started   2026-12-06 02:00:00Z\n"
                + "  finished  -\n"
                + "  duration  -\n"
                + "  due       2026-12-06 02:00:00Z\n"
                + "  attempt   2\n"
                + "  params    none\n"
                + "\n"
                + "Timeline: no step recorded yet\n"
                + "\n"
                + "Log: runbook logs 7 --follow\n");
    }

    @Test
    void aFailedDryRunShowsItsErrorAndThePlanUpToTheFailure() throws Exception {
        String text = RunCommands.render(json("{'id': 9, 'job': 'leaky', 'trigger': 'dry-run', 'node': 'n1',"
                + " 'startedAt': '2026-12-06T02:00:00Z', 'finishedAt': '2026-12-06T02:00:00.040Z', 'durationMs': 40,"
                + " 'status': 'failed', 'error': 'dry run: bean method Leaky.send is not @DryRunSafe', 'attempt': 1,"
                + " 'params': {}, 'dryRun': true, 'steps': [], 'plan': [{'kind': 'sql', 'effect': 'UPDATE x'}]}"), Ansi.OFF);
        assertThat(text).contains("Dry run 9 of leaky: failed\n",
                "  error     dry run: bean method Leaky.send is not @DryRunSafe\n",
                "Timeline: no step recorded\n",
                "Plan, up to where the dry run failed (1 effect, none performed)\n#  KIND  WOULD\n1  sql   UPDATE x\n");
        String empty = RunCommands.render(json("{'id': 9, 'job': 'leaky', 'trigger': 'dry-run', 'status': 'succeeded',"
                + " 'startedAt': '2026-12-06T02:00:00Z', 'params': {}, 'dryRun': true, 'steps': [], 'plan': []}"), Ansi.OFF);
        assertThat(empty).contains("Plan: a real run would have no side effect\n");
    }

    @Test
    void colourKeepsTheTimelineAligned() throws Exception {
        String coloured = RunCommands.render(json(DRY_RUN), Ansi.ON);
        assertThat(coloured).contains("\u001B[32m", "\u001B[36m");
        assertThat(coloured.replaceAll("\u001B\\[[0-9;]*m", "")).isEqualTo(RunCommands.render(json(DRY_RUN), Ansi.OFF));
    }

    @Test
    void barsLieOnTheRunsSpanAndAreNeverEmpty() {
        assertThat(RunCommands.bar(0, 1000, 1000)).isEqualTo("|" + "#".repeat(24) + "|");
        assertThat(RunCommands.bar(500, 0, 1000)).isEqualTo("|" + ".".repeat(12) + "#" + ".".repeat(11) + "|");
        assertThat(RunCommands.bar(1000, 0, 1000)).isEqualTo("|" + ".".repeat(23) + "#|");
        assertThat(RunCommands.bar(0, 0, 1)).hasSize(26);
    }

    /** A log server: each GET answers the next page of {@code pages}, the last one for ever; records every query. */
    String serve(List<String> pages, List<String> queries) throws Exception {
        ConcurrentLinkedQueue<String> left = new ConcurrentLinkedQueue<>(pages);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/runs/", exchange -> {
            queries.add(exchange.getRequestURI().getPath() + "?" + exchange.getRequestURI().getQuery());
            String page = left.size() > 1 ? left.poll() : left.peek();
            byte[] body = page.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(page.startsWith("{'error'") ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String line(int n, String message) {
        return "{'n': " + n + ", 'at': '2026-12-06T02:00:0" + n + "Z', 'level': 'INFO', 'logger': 'nightly-backup',"
                + " 'message': '" + message + "'}";
    }

    @Test
    void logsFollowPrintsEachLineOnceUntilTheRunEnds() throws Exception {
        List<String> queries = Collections.synchronizedList(new ArrayList<>());
        String url = serve(List.of(
                "{'lines': [" + line(0, "dumping engine-db") + ", " + line(1, "uploading") + "], 'next': 2, 'running': true, 'truncated': false}",
                "{'lines': [], 'next': 2, 'running': true, 'truncated': false}",
                "{'lines': [" + line(2, "done") + "], 'next': 3, 'running': false, 'truncated': false}",
                "{'lines': [], 'next': 3, 'running': false, 'truncated': false}"), queries);
        CliAgainstEngineTest.Result follow = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", url, "RUNBOOK_API_TOKEN", "t"), "logs", "43", "--follow");
        assertThat(follow.code()).as(follow.err()).isZero();
        assertThat(follow.out()).isEqualTo(
                "2026-12-06T02:00:00Z INFO nightly-backup - dumping engine-db\n"
              + "2026-12-06T02:00:01Z INFO nightly-backup - uploading\n"
              + "2026-12-06T02:00:02Z INFO nightly-backup - done\n");
        assertThat(queries).containsExactly("/api/runs/43/log?format=json&from=0", "/api/runs/43/log?format=json&from=2",
                "/api/runs/43/log?format=json&from=2", "/api/runs/43/log?format=json&from=3");
    }

    @Test
    void logsWithoutFollowPrintsWhatThereIsAndSaysWhenTheLogWasTruncated() throws Exception {
        List<String> queries = Collections.synchronizedList(new ArrayList<>());
        String url = serve(List.of(
                "{'lines': [" + line(0, "a") + "], 'next': 1, 'running': true, 'truncated': true}",
                "{'lines': [], 'next': 1, 'running': true, 'truncated': true}"), queries);
        CliAgainstEngineTest.Result logs = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", url, "RUNBOOK_API_TOKEN", "t"), "logs", "5");
        assertThat(logs.code()).isZero();
        assertThat(logs.out()).isEqualTo("2026-12-06T02:00:00Z INFO nightly-backup - a\n"
                + "(log truncated: the engine kept only the first lines of run 5)\n");
        assertThat(queries).hasSize(2);

        server.stop(0);
        url = serve(List.of("{'lines': [" + line(0, "a") + "], 'next': 1, 'running': false, 'truncated': false}",
                "{'lines': [], 'next': 1, 'running': false, 'truncated': false}"), queries);
        CliAgainstEngineTest.Result json = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", url, "RUNBOOK_API_TOKEN", "t"), "logs", "5", "--json");
        assertThat(JSON.readTree(json.out().lines().findFirst().orElseThrow()).get("message").asText()).isEqualTo("a");
    }

    @Test
    void logsOfAnUnknownRunIsOneLineAndExitStatusFive() throws Exception {
        String url = serve(List.of("{'error': 'no run with id 999'}"), new ArrayList<>());
        CliAgainstEngineTest.Result logs = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", url, "RUNBOOK_API_TOKEN", "t"), "logs", "999");
        assertThat(logs.code()).isEqualTo(EngineClient.NOT_FOUND);
        assertThat(logs.err()).isEqualTo("error: no run with id 999\n");
    }

    @Test
    void dryRunIsNotAParameter() {
        CliAgainstEngineTest.Result refused = CliAgainstEngineTest.run(Map.of("RUNBOOK_URL", "http://127.0.0.1:9", "RUNBOOK_API_TOKEN", "t"),
                "trigger", "nightly-backup", "-p", "dryRun=true");
        assertThat(refused.code()).isEqualTo(EngineClient.BAD_USAGE);
        assertThat(refused.err()).isEqualTo("error: dryRun is not a run parameter: use --dry-run\n");
    }

    @Test
    void triggerDryRunAsksForADryRunAndWaitPrintsThePlan() throws Exception {
        List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String answer;
            int status = 200;
            if (exchange.getRequestMethod().equals("POST")) {
                bodies.add(exchange.getRequestHeaders().getFirst("Authorization") + " "
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                answer = "{'runId': 44, 'job': 'nightly-backup', 'status': 'running', 'dryRun': true, 'href': '/api/runs/44'}";
                status = 202;
            } else {
                answer = DRY_RUN.replace("'id': 43", "'id': 44");
            }
            byte[] body = answer.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Map<String, String> env = Map.of("RUNBOOK_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "RUNBOOK_API_TOKEN", "t0ken");
        CliAgainstEngineTest.Result dry = CliAgainstEngineTest.run(env, "trigger", "nightly-backup", "--dry-run", "--wait",
                "-p", "source=engine-db");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(bodies).containsExactly("Bearer t0ken {\"source\":\"engine-db\",\"dryRun\":true}");
        assertThat(dry.out()).isEqualTo("Dry run 44 of nightly-backup started, waiting for it to end...\n"
                + "Dry run 44 of nightly-backup succeeded in 2.0 s\n"
                + "A real run would do (2 effects, none performed):\n"
                + "#  KIND   WOULD\n"
                + "1  s3     delete s3://bucket/backups/engine-db/2026-11-02/x.gz (retention)\n"
                + "2  email  email to ops@example.com: subject Backup done\n");

        CliAgainstEngineTest.Result noWait = CliAgainstEngineTest.run(env, "trigger", "nightly-backup", "--dry-run");
        assertThat(noWait.out()).isEqualTo("Dry run 44 of nightly-backup started; see its plan with: runbook show 44\n");
    }
}
