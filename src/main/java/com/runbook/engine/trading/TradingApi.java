package com.runbook.engine.trading;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.http.ApiException;
import com.runbook.engine.http.Http;
import com.runbook.engine.run.JobRunner;
import com.runbook.engine.run.RunStore;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /api/runbooks/emergency-stop} and {@code POST /api/runbooks/trading-resume}: the body must name the
 * action in {@code confirm}; the job runs (recorded in job_run) and the answer waits for its outcome.
 */
public class TradingApi extends RouteBuilder {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Supplier<JobRunner> runner;
    private final Supplier<RunStore> runs;
    private final Supplier<String> token;

    public TradingApi(Supplier<JobRunner> runner, Supplier<RunStore> runs, Supplier<String> token) {
        this.runner = runner;
        this.runs = runs;
        this.token = token;
    }

    @Override
    public void configure() {
        Http.endpoint(this, "api-emergency-stop", "POST", "/api/runbooks/emergency-stop", token, e -> run(e, "emergency-stop"));
        Http.endpoint(this, "api-trading-resume", "POST", "/api/runbooks/trading-resume", token, e -> run(e, "trading-resume"));
    }

    private Object run(Exchange exchange, String job) throws InterruptedException {
        JsonNode body = Http.jsonObject(exchange);
        String confirm = body.path("confirm").asText("");
        if (!confirm.equals(job)) {
            throw new ApiException(400, "confirm must be \"" + job + "\" to run it" + (confirm.isEmpty() ? "" : ", not \"" + confirm + "\""));
        }
        JsonNode reason = body.get("reason");
        if (reason != null && !reason.isTextual()) {
            throw new ApiException(400, "reason must be a string");
        }
        if (!runner.get().isJob(job)) {
            throw new ApiException(404, "no job '" + job + "' (see GET /api/jobs)");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("reason", reason == null ? "" : reason.asText());
        long id = runner.get().submit(job, "manual", parameters);
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<Map<String, Object>> run = runs.get().find(id);
        while (run.map(r -> "running".equals(r.get("status"))).orElse(true) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            run = runs.get().find(id);
        }
        Map<String, Object> result = new LinkedHashMap<>(run.orElseThrow());
        result.put("href", "/api/runs/" + id);
        if ("failed".equals(result.get("status"))) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 502);
        }
        return result;
    }
}
