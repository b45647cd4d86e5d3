package com.runbook.engine.http;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.Identities;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunRecord;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.Role;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.observe.MetricsModule;
import com.runbook.engine.schedule.JobView;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's HTTP API (jobs, running a job, runs, the last reload, health, metrics), served as doors. Health and
 * metrics are open; reads need a token of any role, running a job an operator's (or the role its runbook requires). Added to Camel before the engine starts, so {@code /health} answers
 * (DOWN) while it does.
 */
public final class ApiRoutes extends RouteBuilder {
    /** What the API reads and starts; the engine provides it (its parts exist only once it has started). */
    public interface Backend {
        List<JobView> jobs();

        RunLog runs();

        RunStarter starter();

        Runbooks runbooks();

        boolean isReady();

        /** Who holds the tokens the API's callers send. */
        Identities identities();
    }

    private final Backend engine;

    public ApiRoutes(Backend engine) {
        this.engine = engine;
    }

    @Override
    public void configure() {
        doors().forEach(door -> HttpDoors.serve(this, door, engine.identities()));
    }

    /** The API's doors. */
    List<Door> doors() {
        return List.of(
                Door.read("api-jobs", "/api/jobs", r -> Reply.ok(engine.jobs())),
                Door.change("api-job-run", "/api/jobs/{id}/run", this::runJob),
                Door.read("api-runs", "/api/runs", r -> Reply.ok(engine.runs().list(r.query("job"),
                        status(r.query("status")), Request.limit(r.query("limit"), 50)).stream().map(RunRecord::json).toList())),
                Door.read("api-run", "/api/runs/{id}", r -> Reply.ok(detail(id(r.path("id"))))),
                Door.read("api-run-log", "/api/runs/{id}/log", this::log),
                Door.read("api-reload", "/api/reload", r -> Reply.ok(engine.runbooks().lastOutcome() == null
                        ? Map.of("status", "none") : engine.runbooks().lastOutcome())),
                Door.open("api-health", "/health", r -> health()),
                Door.open("api-metrics", "/metrics", r -> Reply.ok(scrape())));
    }

    /** The Prometheus text of the registry camel-micrometer serves (none when camel.metrics.enabled=false: 500). */
    private String scrape() {
        if (MetricsModule.registry(getContext()) instanceof PrometheusMeterRegistry prometheus) {
            return prometheus.scrape();
        }
        throw new IllegalStateException("no Prometheus meter registry (camel.metrics.enabled=false)");
    }

    private Reply runJob(Request request) {
        String job = request.path("id");
        Map<String, Object> parameters = new LinkedHashMap<>();
        Map<String, Object> form = request.form();
        if (form != null) {   // curl -d note=x -d fail=true: platform-http parsed the fields
            if (form.keySet().stream().anyMatch(k -> k.startsWith("{"))) {
                throw new Http.NotJson(request.header(Exchange.CONTENT_TYPE));   // curl -d '{...}' without a Content-Type
            }
            parameters.putAll(form);
        } else {
            request.json().fields().forEachRemaining(f -> parameters.put(f.getKey(),
                    f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        }
        parameters.forEach((name, value) -> {
            if (name.indexOf('\0') >= 0 || String.valueOf(value).indexOf('\0') >= 0) {
                throw Refused.invalid("parameter '" + name.replace("\0", "\\u0000")
                        + "': NUL characters (\\u0000) are not allowed");
            }
        });
        boolean dryRun = dryRun(parameters.remove("dryRun"));   // reserved: never a runbook parameter
        if (dryRun) {   // a rehearsal changes nothing outside the engine: an operator may rehearse any runbook
            request.caller().require(Role.OPERATOR, "rehearse " + job);
        } else {
            request.caller().require(engine.runbooks().roleOf(job), "run " + job);
        }
        long id = engine.starter().start(job, dryRun ? RunTrigger.DRY_RUN : RunTrigger.MANUAL, parameters,
                request.caller());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runId", id);
        answer.put("job", job);
        answer.put("status", "running");
        answer.put("dryRun", dryRun);
        answer.put("href", "/api/runs/" + id);
        return Reply.accepted(answer);
    }

    /** {@code GET /api/runs/{id}}: the run's row, whether it is a dry run, its steps, its plan and where its log is. */
    private Map<String, Object> detail(long id) {
        RunRecord run = engine.runs().find(id).orElseThrow(() -> noRun(Long.toString(id)));
        Map<String, Object> body = new LinkedHashMap<>(run.json());
        body.put("dryRun", RunTrigger.DRY_RUN.stored().equals(run.trigger()));
        body.put("steps", engine.runs().steps(id));
        body.put("plan", engine.runs().plan(id));
        body.put("log", "/api/runs/" + id + "/log");
        return body;
    }

    /**
     * {@code GET /api/runs/{id}/log}: the run's log as text, one line per log line ({@code <ISO time> <LEVEL> <logger>
     * - <message>}); with {@code ?format=json&from=N} the lines from N on, the next N to ask for, whether the run is
     * still running and whether its log was cut (what {@code ./runbook logs --follow} polls).
     */
    private Reply log(Request request) {
        String format = request.query("format");
        if (format != null && !format.equals("json") && !format.equals("text")) {
            throw Refused.invalid("format must be json or text, not '" + format + "'");
        }
        int from = fromLine(request.query("from"));
        long id = id(request.path("id"));
        RunRecord run = engine.runs().find(id).orElseThrow(() -> noRun(request.path("id")));
        RunLog.LogLines log = engine.runs().log(id, from);
        if (!"json".equals(format)) {
            StringBuilder text = new StringBuilder();
            log.lines().forEach(l -> text.append(l.at()).append(' ').append(l.level()).append(' ').append(l.logger())
                    .append(" - ").append(l.message()).append('\n'));
            if (log.truncated()) {
                text.append("… the run logged more than is kept (").append("2,000 lines / 1 MiB): the rest is not kept\n");
            }
            return Reply.ok(text.toString());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lines", log.lines());
        body.put("next", log.lines().isEmpty() ? Math.max(from, 1) : log.lines().get(log.lines().size() - 1).n() + 1);
        body.put("running", run.status() == RunStatus.RUNNING);
        body.put("truncated", log.truncated());
        return Reply.ok(body);
    }

    /** The {@code from} of a log request: the first line wanted, from 1 (absent: 1). */
    static int fromLine(String text) {
        if (text == null || text.isBlank()) {
            return 1;
        }
        try {
            int from = Integer.parseInt(text.trim());
            if (from < 0) {
                throw Refused.invalid("from must be a line number (1 or more), not " + text);
            }
            return Math.max(from, 1);
        } catch (NumberFormatException e) {
            throw Refused.invalid("from must be a line number (1 or more), not '" + text + "'");
        }
    }

    /** The {@code status} filter of the run history: running, succeeded, failed or skipped (absent: any). */
    static RunStatus status(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        for (RunStatus status : RunStatus.values()) {
            if (status.stored().equals(text.trim())) {
                return status;
            }
        }
        throw Refused.invalid("status must be one of running, succeeded, failed, skipped, not '" + text + "'");
    }

    private Reply health() {
        if (!engine.isReady()) {
            // starting (or stopping): Camel's checks read the bean registry the start is still filling
            // (a ConcurrentModificationException in SimpleRegistry.findByType); DOWN says it all
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "DOWN");
            body.put("checks", List.of());
            body.put("message", "the engine is not ready (starting or stopping)");
            return Reply.unavailable(body);
        }
        List<Map<String, Object>> checks = HealthCheckHelper.invoke(getContext()).stream().map(r -> {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", r.getCheck().getId());
            check.put("status", r.getState().name());
            r.getMessage().ifPresent(m -> check.put("message", m));
            return check;
        }).toList();
        boolean up = checks.stream().noneMatch(c -> HealthCheck.State.DOWN.name().equals(c.get("status")));
        // DEGRADED (still 200: the engine serves, and every other runbook runs) while a runbook file is refused
        List<String> refused = engine.runbooks() == null ? List.of() : engine.runbooks().refusedFiles();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !up ? "DOWN" : refused.isEmpty() ? "UP" : "DEGRADED");
        body.put("checks", checks);
        if (!refused.isEmpty()) {
            body.put("refusedFiles", refused);
        }
        return up ? Reply.ok(body) : Reply.unavailable(body);
    }

    /** A run id; one that is not a number names no run (404, as an unknown id). */
    static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw noRun(text);
        }
    }

    private static Refused noRun(String id) {
        return new Refused(Refused.Reason.NOT_FOUND, "no run with id " + id);
    }

    /** The {@code dryRun} field of a run request: true, false or absent (false); it is never a runbook parameter. */
    static boolean dryRun(Object value) {
        String text = value == null ? "false" : String.valueOf(value).trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw Refused.invalid("dryRun must be true or false, not '" + text + "'");
    }
}
