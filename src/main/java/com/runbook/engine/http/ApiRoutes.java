package com.runbook.engine.http;

import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunRecord;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.Runbooks;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The engine's HTTP API. Reads are open; every endpoint that changes something needs the bearer token. */
public class ApiRoutes extends RouteBuilder {
    /** What the API reads and starts; the engine provides it (its parts exist only once it has started). */
    public interface Backend {
        List<Map<String, Object>> jobs();

        RunLog runs();

        RunStarter starter();

        Runbooks runbooks();

        boolean isReady();

        String apiToken();
    }

    private final Backend engine;

    public ApiRoutes(Backend engine) {
        this.engine = engine;
    }

    @Override
    public void configure() {
        Http.endpoint(this, "api-jobs", "GET", "/api/jobs", null, e -> engine.jobs());
        Http.endpoint(this, "api-job-run", "POST", "/api/jobs/{id}/run", engine::apiToken, this::runJob);
        Http.endpoint(this, "api-runs", "GET", "/api/runs", null, e -> engine.runs().list(
                Http.header(e, "job"), limit(Http.header(e, "limit"))).stream().map(RunRecord::json).toList());
        Http.endpoint(this, "api-run", "GET", "/api/runs/{id}", null, e -> engine.runs().find(id(Http.header(e, "id")))
                .map(RunRecord::json).orElseThrow(() -> new ApiException(404, "no run with id " + Http.header(e, "id"))));
        Http.endpoint(this, "api-reload", "GET", "/api/reload", null, e -> engine.runbooks().lastOutcome() == null
                ? Map.of("status", "none") : engine.runbooks().lastOutcome());
        Http.endpoint(this, "api-health", "GET", "/health", null, this::health);
        Http.endpoint(this, "api-metrics", "GET", "/metrics", null, e -> getContext().getRegistry()
                .findSingleByType(PrometheusMeterRegistry.class).scrape());
    }

    private Object runJob(Exchange exchange) {
        String job = Http.header(exchange, "id");
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (Http.isForm(exchange)) {   // curl -d note=x -d fail=true: platform-http parsed the fields into a map
            Map<?, ?> form = exchange.getMessage().getBody(Map.class);   // null for an empty form
            if (form != null) {
                if (form.keySet().stream().anyMatch(k -> k.toString().startsWith("{"))) {
                    throw Http.notJson(exchange);   // curl -d '{...}' without a Content-Type
                }
                form.forEach((k, v) -> parameters.put(k.toString(), v));
            }
        } else {
            Http.jsonObject(exchange).fields().forEachRemaining(f -> parameters.put(f.getKey(),
                    f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        }
        parameters.forEach((name, value) -> {
            if (name.indexOf('\0') >= 0 || String.valueOf(value).indexOf('\0') >= 0) {
                throw new ApiException(400, "parameter '" + name.replace("\0", "\\u0000")
                        + "': NUL characters (\\u0000) are not allowed");
            }
        });
        if (!engine.starter().isJob(job)) {
            throw new ApiException(404, "no job '" + job + "' (see GET /api/jobs)");
        }
        long id = engine.starter().start(job, RunTrigger.MANUAL, parameters);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return Map.of("runId", id, "job", job, "status", "running", "href", "/api/runs/" + id);
    }

    private Object health(Exchange exchange) {
        List<Map<String, Object>> checks = HealthCheckHelper.invoke(getContext()).stream().map(r -> {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", r.getCheck().getId());
            check.put("status", r.getState().name());
            r.getMessage().ifPresent(m -> check.put("message", m));
            return check;
        }).toList();
        boolean up = engine.isReady() && checks.stream().noneMatch(c -> HealthCheck.State.DOWN.name().equals(c.get("status")));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        // DEGRADED (still 200: the engine serves, and every other runbook runs) while a runbook file is refused
        List<String> refused = engine.runbooks() == null ? List.of() : engine.runbooks().refusedFiles();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !up ? "DOWN" : refused.isEmpty() ? "UP" : "DEGRADED");
        body.put("checks", checks);
        if (!refused.isEmpty()) {
            body.put("refusedFiles", refused);
        }
        return body;
    }

    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit < 1 || limit > 1000) {
                throw new ApiException(400, "limit must be between 1 and 1000, not " + text);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new ApiException(400, "limit must be a number, not '" + text + "'");
        }
    }

    static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ApiException(404, "no run with id " + text);
        }
    }

}
