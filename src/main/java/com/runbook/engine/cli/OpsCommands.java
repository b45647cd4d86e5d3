package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** The commands that talk to a running engine over its HTTP API: list, trigger, history, incidents, ack, windows. */
final class OpsCommands {
    static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");
    static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    private OpsCommands() {
    }

    /** Where the engine is and how to print: --url, --json, the token from the environment. */
    static class Remote {
        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Option(names = "--url", paramLabel = "URL",
                description = "engine base URL (default: $RUNBOOK_URL, else http://localhost:8080)")
        String url;

        @Option(names = "--json", description = "print the engine's JSON instead of a table (for scripts)")
        boolean json;

        Map<String, String> env() {
            return ((RunbookCli) mixee.root().userObject()).env();
        }

        EngineClient client() {
            Map<String, String> env = env();
            String base = url != null ? url : env.getOrDefault("RUNBOOK_URL", "http://localhost:8080");
            return new EngineClient(base, token(env));
        }

        /** RUNBOOK_API_TOKEN, else the token file a local engine generated in its data folder. */
        static String token(Map<String, String> env) {
            String token = env.get("RUNBOOK_API_TOKEN");
            if (token != null && !token.isBlank()) {
                return token.trim();
            }
            Path file = Path.of(env.getOrDefault("RUNBOOK_DATA_DIR", "./data"), "api-token");
            try {
                return Files.isReadable(file) ? Files.readString(file).trim() : null;
            } catch (IOException e) {
                return null;
            }
        }

        PrintWriter out() {
            return mixee.commandLine().getOut();
        }

        Ansi ansi() {
            return mixee.commandLine().getColorScheme().ansi();
        }

        void print(JsonNode node) {
            out().println(Json.pretty(node));
            out().flush();
        }

        void print(Table table, String whenEmpty) {
            out().print(table.isEmpty() ? whenEmpty + "\n" : table.render(ansi()));
            out().flush();
        }

        /** GETs {@code path} and prints the answer as JSON (--json) or as the table {@code render} makes of it. */
        int show(String path, Function<JsonNode, Table> render, String whenEmpty) {
            JsonNode answer = client().get(path);
            if (json) {
                print(answer);
            } else {
                print(render.apply(answer), whenEmpty);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the jobs of a running engine: schedule, next fire time in UTC and in the schedule's "
                    + "zone, last run status (GET /api/jobs).")
    static class ListJobs implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Override
        public Integer call() {
            return remote.show("/api/jobs", OpsCommands::jobsTable, "no jobs (routes/ is empty)");
        }
    }

    static Table jobsTable(JsonNode jobs) {
        Table table = new Table("JOB", "SCHEDULE", "ZONE", "NEXT FIRE (UTC)", "NEXT FIRE (LOCAL)", "LAST RUN")
                .style(5, Table::statusStyle);
        for (JsonNode job : jobs) {
            JsonNode schedule = job.get("schedule");
            boolean scheduled = schedule != null && !schedule.isNull();
            boolean enabled = scheduled && schedule.path("enabled").asBoolean(true);
            String zone = scheduled ? schedule.path("zone").asText("UTC") : null;
            table.row(job.path("id").asText(),
                    !scheduled ? "manual" : schedule.path("expression").asText() + (enabled ? "" : " (disabled)"),
                    zone,
                    !scheduled ? null : enabled ? utc(text(job, "nextFireUtc")) : "disabled",
                    !scheduled || !enabled ? null : local(text(job, "nextFireLocal"), zone),
                    text(job, "lastStatus"));
        }
        return table;
    }

    /** With {@code trigger --wait}: the first pause between two polls of the run, doubled up to the last. */
    static final long FIRST_POLL_MS = 10;
    static final long LAST_POLL_MS = 1000;

    @Command(name = "trigger", mixinStandardHelpOptions = true,
            description = "Run a job now (POST /api/jobs/{id}/run, needs RUNBOOK_API_TOKEN). With --wait, follow the "
                    + "run until it ends; the exit status is then 0 if it succeeded, 1 if not. With --dry-run, "
                    + "rehearse it: the real route with real reads and no side effect; what it would do is its plan.")
    static class Trigger implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "JOB", description = "the job (route id) to run")
        String job;

        @Option(names = "--wait", description = "follow the run until it ends and exit with its outcome")
        boolean wait;

        @Option(names = "--dry-run", description = "rehearse: perform no side effect, record what a real run would "
                + "do (its plan: runbook show RUN)")
        boolean dryRun;

        @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
                description = "a run parameter (arrives as a header of the run); repeatable")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600",
                description = "with --wait, give up after this many seconds (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            if (params.containsKey("dryRun")) {
                throw new CliException(EngineClient.BAD_USAGE, "dryRun is not a run parameter: use --dry-run");
            }
            EngineClient client = remote.client();
            ObjectNode body = Json.object();
            params.forEach(body::put);
            if (dryRun) {
                body.put("dryRun", true);
            }
            JsonNode started = client.post("/api/jobs/" + encode(job) + "/run", body);
            long runId = started.path("runId").asLong();
            String what = (dryRun ? "Dry run " : "Run ") + runId + " of " + job;
            if (!wait) {
                if (remote.json) {
                    remote.print(started);
                } else {
                    remote.out().println(what + " started; " + (dryRun ? "see its plan with: runbook show " + runId
                            : "follow it with: runbook logs " + runId + " --follow"));
                    remote.out().flush();
                }
                return 0;
            }
            if (!remote.json) {
                remote.out().println(what + " started, waiting for it to end...");
                remote.out().flush();
            }
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            // most runbooks end within milliseconds (heartbeat: 5-15 ms): the first polls come soon, then every second
            long pause = FIRST_POLL_MS;
            JsonNode run = client.get("/api/runs/" + runId);
            while ("running".equals(run.path("status").asText())) {
                if (System.nanoTime() > deadline) {
                    throw new CliException(1, (dryRun ? "dry run " : "run ") + runId + " of " + job
                            + " still running after " + timeoutSeconds + " s; stopped waiting (it goes on in the engine)");
                }
                Thread.sleep(pause);
                pause = Math.min(LAST_POLL_MS, pause * 2);
                run = client.get("/api/runs/" + runId);
            }
            String status = run.path("status").asText();
            if (remote.json) {
                remote.print(run);
            } else {
                String line = what + " " + status + " in " + duration(run.path("durationMs"))
                        + (run.hasNonNull("error") ? ": " + run.get("error").asText() : "");
                remote.out().println(remote.ansi().string("@|" + Table.statusStyle(status) + " " + line.replace("|@", "| @") + "|@"));
                if (dryRun) {
                    JsonNode plan = run.path("plan");
                    String effects = plan.size() + (plan.size() == 1 ? " effect" : " effects") + ", none performed";
                    boolean failed = !"succeeded".equals(status);
                    remote.out().print(plan.isEmpty() ? (failed ? "" : "A real run would have no side effect.\n")
                            : (failed ? "Recorded before the dry run failed (" : "A real run would do (") + effects
                            + "):\n" + RunCommands.plan(plan).render(remote.ansi()));
                }
                remote.out().flush();
            }
            return "succeeded".equals(status) ? 0 : 1;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "Show past runs, newest first, with durations and errors (GET /api/runs); "
                    + "runbook show RUN tells one run's story.")
    static class History implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "JOB", arity = "0..1", description = "only this job's runs")
        String job;

        @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "how many runs, 1-1000 (default: ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--status", paramLabel = "STATUS",
                description = "only runs with this status: running, succeeded, failed or skipped")
        String status;

        @Override
        public Integer call() {
            return remote.show("/api/runs?limit=" + limit + (job == null ? "" : "&job=" + encode(job))
                            + (status == null ? "" : "&status=" + encode(status)), OpsCommands::historyTable,
                    "no " + (status == null ? "" : status + " ") + "runs" + (job == null ? "" : " of " + job) + " yet");
        }
    }

    static Table historyTable(JsonNode runs) {
        Table table = new Table("RUN", "JOB", "TRIGGER", "STARTED (UTC)", "DURATION", "STATUS", "ERROR")
                .style(5, Table::statusStyle);
        for (JsonNode run : runs) {
            table.row(run.path("id").asText(), text(run, "job"), text(run, "trigger"), utc(text(run, "startedAt")),
                    duration(run.path("durationMs")), text(run, "status"), shorten(text(run, "error"), 80));
        }
        return table;
    }

    @Command(name = "incidents", mixinStandardHelpOptions = true,
            description = "Show incidents, newest first (GET /api/incidents).")
    static class Incidents implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Option(names = "--open", description = "only incidents not resolved yet (open or acknowledged)")
        boolean open;

        @Override
        public Integer call() {
            return remote.show("/api/incidents" + (open ? "?open=true" : ""),
                    answer -> incidentsTable(items(answer, "incidents")), open ? "no open incidents" : "no incidents");
        }
    }

    static Table incidentsTable(List<JsonNode> incidents) {
        Table table = new Table("ID", "PRIO", "STATUS", "OPENED (UTC)", "ACK BY", "TITLE")
                .style(1, p -> p.equals("P1") ? "fg(red),bold" : p.equals("P2") ? "fg(red)" : null)
                .style(2, Table::statusStyle);
        for (JsonNode incident : incidents) {
            table.row(incident.path("id").asText(), text(incident, "priority"), text(incident, "status"),
                    utc(text(incident, "openedAt")), text(incident, "acknowledgedBy"),
                    text(incident, "title") + (incident.path("duringMaintenance").asBoolean() ? " [maintenance: muted]" : ""));
        }
        return table;
    }

    @Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledge an incident (POST /api/incidents/{id}/ack, needs RUNBOOK_API_TOKEN); stops its escalation.")
    static class Ack implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "ID", description = "the incident id (see: runbook incidents --open)")
        String id;

        @Option(names = "--by", paramLabel = "NAME", description = "who acknowledges (default: $USER)")
        String by;

        @Override
        public Integer call() {
            String who = by != null ? by : remote.env().getOrDefault("USER", System.getProperty("user.name"));
            ObjectNode body = Json.object().put("by", who);
            JsonNode incident = remote.client().post("/api/incidents/" + encode(id) + "/ack", body);
            if (remote.json) {
                remote.print(incident);
            } else {
                remote.out().println("Incident " + id + " acknowledged by " + who
                        + (incident.hasNonNull("title") ? ": " + incident.get("title").asText() : ""));
                remote.out().flush();
            }
            return 0;
        }
    }

    @Command(name = "windows", mixinStandardHelpOptions = true,
            description = "Show maintenance windows, current and next (GET /api/windows); P3/P4 alerts are muted while one is open.")
    static class Windows implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Override
        public Integer call() {
            return remote.show("/api/windows", answer -> windowsTable(items(answer, "windows")), "no maintenance windows");
        }
    }

    static Table windowsTable(List<JsonNode> windows) {
        Table table = new Table("JOB", "START (UTC)", "END (UTC)", "STATE").style(3, s -> s.equals("open now") ? "fg(yellow),bold" : null);
        for (JsonNode window : windows) {
            table.row(text(window, "job"), utc(text(window, "start")), utc(text(window, "end")),
                    window.path("open").asBoolean() ? "open now" : "next");
        }
        return table;
    }

    /** The elements of a JSON array, or of the array under {@code field} of an object. */
    static List<JsonNode> items(JsonNode node, String field) {
        JsonNode array = node.isArray() ? node : node.path(field);
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static String utc(String iso) {
        return iso == null ? null : OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).format(UTC);
    }

    static String local(String iso, String zone) {
        return iso == null ? null : OffsetDateTime.parse(iso).atZoneSameInstant(ZoneId.of(zone)).format(LOCAL);
    }

    /** 340 ms, 12.3 s, 4m 05s, 1h 02m. */
    static String duration(JsonNode ms) {
        if (ms == null || !ms.isNumber()) {
            return null;
        }
        long v = ms.asLong();
        if (v < 1000) {
            return v + " ms";
        }
        if (v < 60_000) {
            return String.format("%.1f s", v / 1000.0);
        }
        long s = v / 1000;
        return s < 3600 ? String.format("%dm %02ds", s / 60, s % 60) : String.format("%dh %02dm", s / 3600, s % 3600 / 60);
    }

    static String shorten(String text, int max) {
        if (text == null) {
            return null;
        }
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
