package com.runbook.engine.cli;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The training run of the client commands' class-data cache (JDK 17: {@code -XX:ArchiveClassesAtExit}, JDK 25:
 * {@code -XX:AOTCacheOutput}): the commands people run most, each on the path it takes against an engine, played
 * against a stand-in of the engine's API in this JVM (the JDK's own HTTP server on a free loopback port, answers shaped
 * like the engine's). No engine, database or network is needed, so a build can train the cache; it prints nothing
 * and exits 0 (the caches are written when the JVM exits normally). Run it with the class path the commands use:
 * {@code java -XX:AOTCacheOutput=target/cli.aot -cp target/runbook-engine-cli.jar com.runbook.engine.cli.CliTraining}.
 */
public final class CliTraining {
    private static final String RUN = "{\"id\":7,\"job\":\"heartbeat\",\"trigger\":\"manual\",\"by\":\"token:bootstrap\","
            + "\"node\":\"node-1\",\"startedAt\":\"2026-12-06T17:02:27.889664Z\",\"finishedAt\":\"2026-12-06T17:02:28.019095Z\","
            + "\"durationMs\":129,\"status\":\"succeeded\",\"error\":null,\"attempt\":1,\"scheduledFor\":null,"
            + "\"scheduleId\":null,\"params\":{\"note\":\"x\"},\"dryRun\":false,\"steps\":[{\"seq\":1,\"node\":\"log18\","
            + "\"kind\":\"log\",\"uri\":null,\"source\":\"routes/heartbeat.camel.yaml:9\","
            + "\"startedAt\":\"2026-12-06T17:02:27.997394Z\",\"durationMs\":7,\"outcome\":\"ok\",\"count\":1}],"
            + "\"plan\":[],\"log\":\"/api/runs/7/log\"}";
    private static final String SCHEDULE = "{\"id\":\"daily-pnl\",\"job\":\"daily-pnl\",\"params\":{},"
            + "\"expression\":\"0 30 16 ? * MON-FRI\",\"cron\":\"0 30 16 ? * MON-FRI\",\"every\":null,"
            + "\"zone\":\"America/New_York\",\"enabled\":true,\"misfire\":\"fire-once-now\",\"overlap\":\"skip\","
            + "\"file\":\"schedules/daily-pnl.yaml:3\",\"nextFireUtc\":\"2026-12-07T21:30Z\","
            + "\"nextFireLocal\":\"2026-12-07T16:30-05:00\",\"lastRun\":{\"id\":3,\"status\":\"failed\"}}";
    private static final Map<String, String> ANSWERS = Map.of(
            "GET /api/jobs", "[{\"id\":\"daily-pnl\",\"file\":\"routes/daily-pnl.camel.yaml\",\"role\":\"operator\","
                    + "\"schedule\":{\"expression\":\"0 30 16 ? * MON-FRI\",\"zone\":\"America/New_York\",\"enabled\":true},"
                    + "\"nextFireUtc\":\"2026-12-07T21:30Z\",\"nextFireLocal\":\"2026-12-07T16:30-05:00\","
                    + "\"lastStatus\":\"failed\",\"schedules\":[" + SCHEDULE + "]},{\"id\":\"heartbeat\",\"schedule\":"
                    + "{\"expression\":\"every 1m\",\"zone\":\"UTC\",\"enabled\":true},\"nextFireUtc\":\"2026-12-06T17:14:26Z\","
                    + "\"nextFireLocal\":\"2026-12-06T17:14:26Z\",\"lastStatus\":\"succeeded\"},{\"id\":\"emergency-stop\","
                    + "\"schedule\":null,\"nextFireUtc\":null,\"nextFireLocal\":null,\"lastStatus\":null}]",
            "POST /api/jobs/heartbeat/run", "{\"runId\":7,\"job\":\"heartbeat\",\"status\":\"running\"}",
            "GET /api/runs/7", RUN,
            "GET /api/runs", "[" + RUN + "]",
            "GET /api/runs/7/log", "{\"lines\":[{\"n\":1,\"at\":\"2026-12-06T17:02:27.974Z\",\"level\":\"INFO\","
                    + "\"logger\":\"heartbeat.camel:9\",\"message\":\"heartbeat: engine alive\"}],\"next\":2,"
                    + "\"running\":false,\"truncated\":false}",
            "GET /api/runs/7/log (later)", "{\"lines\":[],\"next\":2,\"running\":false,\"truncated\":false}",
            "GET /api/schedules", "[" + SCHEDULE + "]",
            "GET /api/incidents", "[{\"id\":12,\"priority\":\"P1\",\"status\":\"open\",\"title\":\"Database down\","
                    + "\"openedAt\":\"2026-11-26T10:15:30.123Z\",\"acknowledgedBy\":null,\"duringMaintenance\":false}]",
            "GET /api/windows", "[{\"job\":\"sunday-maintenance\",\"start\":\"2026-12-13T02:00:00Z\","
                    + "\"end\":\"2026-12-13T04:00:00Z\",\"open\":false}]");

    private CliTraining() {
    }

    public static void main(String[] args) throws IOException {
        Thread watchdog = new Thread(() -> {   // a build never hangs on it: no cache rather than a stuck build
            try {
                Thread.sleep(60_000);
                System.err.println("CliTraining did not end within 60 s: no cache written");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            if (key.endsWith("/log") && query != null && !query.endsWith("from=0")) {
                key = key + " (later)";   // the lines after the first page: none
            }
            exchange.getRequestBody().readAllBytes();
            String answer = ANSWERS.get(key);
            byte[] body = (answer != null ? answer : "{\"error\":\"no job 'nope' (see GET /api/jobs)\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer != null ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        api.start();
        try {
            Map<String, String> env = Map.of("RUNBOOK_URL", "http://127.0.0.1:" + api.getAddress().getPort(),
                    "RUNBOOK_API_TOKEN", "training", "USER", "training");
            for (List<String> command : List.of(List.of("list"), List.of("list", "--json"),
                    List.of("trigger", "heartbeat", "--wait"), List.of("trigger", "heartbeat"),
                    List.of("trigger", "nope", "--wait"), List.of("history"), List.of("show", "7"),
                    List.of("logs", "7"), List.of("schedules"), List.of("incidents", "--open"), List.of("windows"),
                    List.of("list", "--help"), List.of("--help"))) {
                String[] arguments = command.toArray(String[]::new);
                picocli.CommandLine cli = RunbookCli.commandLine(env, arguments);
                cli.setOut(new PrintWriter(Writer.nullWriter()));
                cli.setErr(new PrintWriter(Writer.nullWriter()));
                cli.execute(arguments);
            }
        } finally {
            api.stop(0);
        }
    }
}
