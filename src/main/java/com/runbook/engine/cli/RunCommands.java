package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The commands that tell one run's story: {@code show} (what it did, step by step, and a dry run's plan) and {@code logs}. */
final class RunCommands {
    /** Width of the timeline's bar column, in characters. */
    static final int BAR = 24;

    private RunCommands() {
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one run: job, trigger, status, node, parameters, its step timeline (a bar per step) "
                    + "and, for a dry run, its plan: what a real run would do (GET /api/runs/{id}).")
    static class Show implements Callable<Integer> {
        @Mixin
        OpsCommands.Remote remote;

        @Parameters(paramLabel = "RUN", description = "the run id (see: runbook history)")
        String run;

        @Override
        public Integer call() {
            JsonNode answer = remote.client().get("/api/runs/" + OpsCommands.encode(run));
            if (remote.json) {
                remote.print(answer);
            } else {
                remote.out().print(render(answer, remote.ansi()));
                remote.out().flush();
            }
            return 0;
        }
    }

    /** The whole page of {@code runbook show}: the run's header, its timeline, a dry run's plan, where its log is. */
    static String render(JsonNode run, picocli.CommandLine.Help.Ansi ansi) {
        StringBuilder out = new StringBuilder();
        boolean dryRun = run.path("dryRun").asBoolean(false) || "dry-run".equals(OpsCommands.text(run, "trigger"));
        String status = OpsCommands.text(run, "status");
        out.append(dryRun ? "Dry run " : "Run ").append(run.path("id").asText()).append(" of ")
                .append(OpsCommands.text(run, "job")).append(": ")
                .append(style(ansi, Table.statusStyle(status == null ? "" : status), status)).append('\n');
        Table about = new Table("", "");
        about.row("trigger", OpsCommands.text(run, "trigger")
                + (run.hasNonNull("scheduleId") ? " (schedule " + run.get("scheduleId").asText() + ")" : ""));
        if (run.hasNonNull("by")) {
            about.row("by", run.get("by").asText());   // who or what started it (token:alice, schedule:<id>)
        }
        about.row("node", OpsCommands.text(run, "node"));
        about.row("started", OpsCommands.utc(OpsCommands.text(run, "startedAt")));
        about.row("finished", OpsCommands.utc(OpsCommands.text(run, "finishedAt")));
        about.row("duration", OpsCommands.duration(run.path("durationMs")));
        if (run.hasNonNull("scheduledFor")) {
            about.row("due", OpsCommands.utc(OpsCommands.text(run, "scheduledFor")));
        }
        if (run.path("attempt").asInt(1) > 1) {
            about.row("attempt", run.get("attempt").asText());
        }
        List<String> params = new ArrayList<>();
        run.path("params").fields().forEachRemaining(p -> params.add(p.getKey() + "=" + p.getValue().asText()));
        about.row("params", params.isEmpty() ? "none" : String.join(" ", params));
        if (run.hasNonNull("error")) {
            about.row("error", run.get("error").asText().replaceAll("\\s+", " "));
        }
        about.render(ansi).lines().skip(1).forEach(line -> out.append("  ").append(line).append('\n'));

        out.append('\n');
        JsonNode steps = run.path("steps");
        if (steps.isEmpty()) {
            out.append("Timeline: no step recorded").append("running".equals(status) ? " yet" : "").append('\n');
        } else {
            out.append("Timeline (").append(steps.size()).append(steps.size() == 1 ? " step" : " steps").append(")\n");
            out.append(timeline(run, steps).render(ansi));
        }
        if (dryRun) {
            out.append('\n');
            JsonNode plan = run.path("plan");
            if (plan.isEmpty()) {
                out.append("running".equals(status) ? "Plan: no effect recorded yet\n"
                        : "failed".equals(status) ? "Plan: no effect recorded before the dry run failed\n"
                        : "Plan: a real run would have no side effect\n");
            } else {
                out.append("failed".equals(status) ? "Plan, up to where the dry run failed"
                        : "Plan: what a real run would do").append(" (").append(plan.size())
                        .append(plan.size() == 1 ? " effect" : " effects").append(", none performed)\n");
                out.append(plan(plan).render(ansi));
            }
        }
        out.append('\n').append("Log: runbook logs ").append(run.path("id").asText())
                .append("running".equals(status) ? " --follow" : "").append('\n');
        return out.toString();
    }

    /** A row per step: when it started after the run did, how long, and a bar placed on the run's whole span. */
    static Table timeline(JsonNode run, JsonNode steps) {
        OffsetDateTime start = time(OpsCommands.text(run, "startedAt"));
        long span = 1;
        for (JsonNode step : steps) {
            span = Math.max(span, offset(start, step) + step.path("durationMs").asLong(0));
        }
        if (run.path("durationMs").isNumber()) {
            span = Math.max(span, run.get("durationMs").asLong());
        }
        Table table = new Table("#", "STEP", "KIND", "AT", "TOOK", "", "OUTCOME", "COUNT", "SOURCE", "URI")
                .style(6, Table::statusStyle);
        for (JsonNode step : steps) {
            long at = offset(start, step);
            long took = step.path("durationMs").asLong(0);
            int count = step.path("count").asInt(1);
            table.row(step.path("seq").asText(), OpsCommands.text(step, "node"), OpsCommands.text(step, "kind"),
                    "+" + OpsCommands.duration(Json.number(at)),
                    OpsCommands.duration(Json.number(took)), bar(at, took, span),
                    OpsCommands.text(step, "outcome"), count,
                    OpsCommands.text(step, "source"), OpsCommands.text(step, "uri"));
        }
        return table;
    }

    /** {@code ....####......}: where a step lies on the run's span, at least one {@code #} wide. */
    static String bar(long at, long took, long span) {
        int from = (int) Math.min(BAR - 1, at * BAR / span);
        int width = (int) Math.max(1, Math.min(BAR - from, Math.round((double) took * BAR / span)));
        return "|" + ".".repeat(from) + "#".repeat(width) + ".".repeat(BAR - from - width) + "|";
    }

    static Table plan(JsonNode plan) {
        Table table = new Table("#", "KIND", "WOULD");
        int n = 1;
        for (JsonNode effect : plan) {
            table.row(n++, OpsCommands.text(effect, "kind"), OpsCommands.text(effect, "effect"));
        }
        return table;
    }

    private static long offset(OffsetDateTime start, JsonNode step) {
        OffsetDateTime at = time(OpsCommands.text(step, "startedAt"));
        return start == null || at == null ? 0 : Math.max(0, Duration.between(start, at).toMillis());
    }

    private static OffsetDateTime time(String iso) {
        return iso == null ? null : OffsetDateTime.parse(iso);
    }

    private static String style(picocli.CommandLine.Help.Ansi ansi, String style, String text) {
        return style == null || text == null ? String.valueOf(text) : ansi.string("@|" + style + " " + text.replace("|@", "| @") + "|@");
    }

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "Print the log lines of one run (GET /api/runs/{id}/log); with --follow, keep printing "
                    + "the new ones until the run ends.")
    static class Logs implements Callable<Integer> {
        @Mixin
        OpsCommands.Remote remote;

        @Parameters(paramLabel = "RUN", description = "the run id (see: runbook history)")
        String run;

        @Option(names = {"-f", "--follow"}, description = "wait for new lines until the run ends")
        boolean follow;

        @Override
        public Integer call() throws InterruptedException {
            EngineClient client = remote.client();
            String path = "/api/runs/" + OpsCommands.encode(run) + "/log?format=json&from=";
            PrintWriter out = remote.out();
            long from = 0;
            long pause = MIN_PAUSE_MS;
            boolean truncated = false;
            while (true) {
                JsonNode page = client.get(path + from);
                JsonNode lines = page.path("lines");
                for (JsonNode line : lines) {
                    out.println(remote.json ? Json.compact(line) : line(line));
                }
                out.flush();
                truncated = page.path("truncated").asBoolean(false);
                from = page.path("next").asLong(from + lines.size());
                boolean running = page.path("running").asBoolean(false);
                if (!lines.isEmpty()) {
                    pause = MIN_PAUSE_MS;
                    continue;   // there may be more already
                }
                if (!follow || !running) {
                    break;
                }
                Thread.sleep(pause);
                pause = Math.min(MAX_PAUSE_MS, pause * 2);
            }
            if (truncated && !remote.json) {
                out.println("(log truncated: the engine kept only the first lines of run " + run + ")");
                out.flush();
            }
            return 0;
        }
    }

    /** The first and the longest wait between two polls of a running run's log. */
    static final long MIN_PAUSE_MS = 200;
    static final long MAX_PAUSE_MS = 1000;

    /** One log line as the text log shows it: {@code <ISO time> <LEVEL> <logger> - <message>}. */
    static String line(JsonNode line) {
        return OpsCommands.text(line, "at") + " " + OpsCommands.text(line, "level") + " "
                + OpsCommands.text(line, "logger") + " - " + OpsCommands.text(line, "message");
    }
}
