package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.Role;
import com.runbook.engine.definition.Runbooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DNS failover ({@code dnsFailover}) the DNS runbooks call, and its doors: {@code POST /api/runbooks/dns-failover}
 * and {@code POST /api/runbooks/dns-rollback} run the {@code dns-failover} and {@code dns-rollback} runbooks (a
 * {@code job_run} row each, trigger {@code dns}) and answer with the run's outcome; {@code "dryRun": true} makes it a
 * dry run of the runbook instead (trigger {@code dry-run}: real reads and checks, no change, the answer and the run
 * carry its plan). A run needs the role its runbook declares (admin for both), a dry run an operator's.
 * {@code GET /api/dns/changes} reads {@code dns_change}.
 */
public final class DnsModule implements EngineModule {
    private RunStarter runs;
    private Runbooks runbooks;
    private Duration answerWithin;

    @Override
    public void start(Parts parts) throws Exception {
        DnsConfig config = DnsConfig.from(parts.settings());
        List<String> problems = new ArrayList<>();
        DnsProvider provider = DnsProviders.create(config.provider(), parts.settings(), problems);
        DnsFailover failover = new DnsFailover(config.withProblems(problems), provider,
                new DnsChangeStore(parts.db(), parts.audit()), parts::incidents, parts::notifier);
        runs = parts.runs();
        runbooks = parts.runbooks();
        answerWithin = parts.settings().duration("runbook.dns.answer-within");
        parts.camel().getRegistry().bind("dnsFailover", failover);
        parts.doors().open(Door.change("api-dns-failover", "/api/runbooks/dns-failover", this::failover));
        parts.doors().open(Door.change("api-dns-rollback", "/api/runbooks/dns-rollback",
                this::rollback));
        parts.doors().open(Door.read("api-dns-changes", "/api/dns/changes",
                r -> Reply.ok(failover.history(Request.limit(r.query("limit"), 50)))));
    }

    private Reply failover(Request request) throws InterruptedException {
        JsonNode body = request.json();
        StringBuilder errors = new StringBuilder();
        JsonNode target = body.get("target");
        if (target == null || !target.isTextual() || target.asText().isBlank()) {
            errors.append("'target' is required: the name of a configured target; ");
        }
        boolean dryRun = flag(body, "dryRun", errors);
        boolean force = flag(body, "force", errors);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("target") && !f.equals("dryRun") && !f.equals("force")) {
                errors.append("unknown field '").append(f).append("' (expected target, dryRun, force); ");
            }
        });
        if (errors.length() > 0) {
            throw Refused.invalid(errors.substring(0, errors.length() - 2));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("target", target.asText());
        params.put("force", Boolean.toString(force));
        return run("dns-failover", dryRun, params, request.caller());
    }

    private Reply rollback(Request request) throws InterruptedException {
        JsonNode body = request.json();
        StringBuilder errors = new StringBuilder();
        boolean dryRun = flag(body, "dryRun", errors);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("dryRun")) {
                errors.append("unknown field '").append(f).append("' (expected dryRun); ");
            }
        });
        if (errors.length() > 0) {
            throw Refused.invalid(errors.substring(0, errors.length() - 2));
        }
        return run("dns-rollback", dryRun, Map.of(), request.caller());
    }

    /**
     * Runs {@code job} and answers with its outcome: the route's result, or what the DNS step refused as a refusal,
     * or a failure; a run still going after {@code runbook.dns.answer-within} is answered as accepted.
     */
    private Reply run(String job, boolean dryRun, Map<String, Object> params, Actor by) throws InterruptedException {
        if (dryRun) {   // a rehearsal changes no record: an operator may rehearse it
            by.require(Role.OPERATOR, "rehearse " + job);
        } else {
            by.require(runbooks.roleOf(job), "run " + job);
        }
        RunStarter.Watched run = runs.startWatched(job, dryRun ? RunTrigger.DRY_RUN : RunTrigger.DNS, params, by);
        Optional<RunEnd> ended = run.await(answerWithin);
        if (ended.isEmpty()) {
            Map<String, Object> accepted = new LinkedHashMap<>();
            accepted.put("runId", run.id());
            accepted.put("job", job);
            accepted.put("status", RunStatus.RUNNING.stored());
            if (dryRun) {
                accepted.put("dryRun", true);
            }
            accepted.put("href", "/api/runs/" + run.id());
            return Reply.accepted(accepted);
        }
        return answer(ended.get(), dryRun);
    }

    /**
     * The answer of a DNS door for a run that ended: the route's result; what the DNS step refused, as a refusal; any
     * other failure (the provider, the verification, the route) as a failure with the run's error. The route's result
     * gains the run's {@code runId} and {@code href} ({@code /api/runs/<id>}: its steps, log, and a dry run's plan), and
     * {@code dryRun: true} for a dry run.
     */
    static Reply answer(RunEnd end, boolean dryRun) {
        if (end.status() == RunStatus.SUCCEEDED) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (end.result() instanceof Map<?, ?> result) {
                result.forEach((k, v) -> body.put(String.valueOf(k), v));
            } else {
                body.put("result", end.result());
            }
            body.put("runId", end.id());
            if (dryRun) {
                body.put("dryRun", true);
            }
            body.put("href", "/api/runs/" + end.id());
            return Reply.ok(body);
        }
        if (end.failure() instanceof DnsException e) {
            return switch (e.kind()) {
                case INVALID -> throw Refused.invalid(e.getMessage());
                case CONFLICT -> throw new Refused(Refused.Reason.CONFLICT, e.getMessage());
                case UNPROCESSABLE -> throw new Refused(Refused.Reason.UNPROCESSABLE, e.getMessage());
                case UNAVAILABLE -> throw new Refused(Refused.Reason.UNAVAILABLE, e.getMessage());
                case FAILED -> Reply.failed(Map.of("error", e.getMessage()));
            };
        }
        return Reply.failed(Map.of("error", end.error()));
    }

    private static boolean flag(JsonNode body, String name, StringBuilder errors) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            errors.append("'").append(name).append("' must be true or false, not ").append(v).append("; ");
            return false;
        }
        return v.asBoolean();
    }
}
