package com.runbook.engine.trading;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunRecord;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.Role;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The trading control ({@code tradingControl}) the trading runbooks call, and the emergency stop and resume doors:
 * {@code POST /api/runbooks/emergency-stop} and {@code POST /api/runbooks/trading-resume}. The body must name the
 * action in {@code confirm}; {@code "dryRun": true} rehearses it (a dry run: the trading API is not called, the run's
 * plan says what a real run does); its other fields are the run's parameters; the answer waits for the run's end.
 * A run needs the role its runbook declares (admin for both), a dry run an operator's.
 */
public final class TradingModule implements EngineModule {
    private final RunLog store;
    private RunStarter runs;
    private Runbooks runbooks;

    /** The {@code runbook.trading.*} settings of the trading API calls. */
    record TradingSettings(Optional<String> stopUrl, Optional<String> resumeUrl, Optional<String> apiToken,
                           String alertTopic, Duration timeout, Duration answerWithin) {
        static TradingSettings from(Settings s) {
            return new TradingSettings(s.optional("runbook.trading.stop-url"), s.optional("runbook.trading.resume-url"),
                    s.optional("runbook.trading.api-token"), s.text("runbook.trading.alert-topic").trim(),
                    s.duration("runbook.trading.timeout"), s.duration("runbook.trading.answer-within"));
        }
    }

    /** @param store where the doors read the row they answer with */
    public TradingModule(RunLog store) {
        this.store = store;
    }

    @Override
    public void start(Parts parts) throws Exception {
        TradingSettings settings = TradingSettings.from(parts.settings());
        runs = parts.runs();
        runbooks = parts.runbooks();
        parts.camel().getRegistry().bind("tradingControl", new TradingControl(settings, parts.db(), parts::incidents,
                parts::notifier, parts.audit()));
        parts.doors().open(Door.change("api-emergency-stop", "/api/runbooks/emergency-stop",
                r -> run(r, "emergency-stop", settings.answerWithin())));
        parts.doors().open(Door.change("api-trading-resume", "/api/runbooks/trading-resume",
                r -> run(r, "trading-resume", settings.answerWithin())));
    }

    private Reply run(Request request, String job, Duration wait) throws InterruptedException {
        JsonNode body = request.json();
        JsonNode dryRun = body.get("dryRun");
        if (dryRun != null && !dryRun.isBoolean()) {
            throw Refused.invalid("dryRun must be true or false, not " + dryRun);
        }
        boolean rehearsal = dryRun != null && dryRun.asBoolean();
        if (rehearsal) {   // a rehearsal calls no trading API: an operator may rehearse it
            request.caller().require(Role.OPERATOR, "rehearse " + job);
        } else {
            request.caller().require(runbooks.roleOf(job), "run " + job);
        }
        String confirm = body.path("confirm").asText("");
        if (!confirm.equals(job)) {
            throw Refused.invalid("confirm must be \"" + job + "\" to run it" + (confirm.isEmpty() ? "" : ", not \"" + confirm + "\""));
        }
        JsonNode reason = body.get("reason");
        if (reason != null && !reason.isTextual()) {
            throw Refused.invalid("reason must be a string");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("reason", "");
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("confirm") && !f.getKey().equals("dryRun")) {
                parameters.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
            }
        });
        RunStarter.Watched run = runs.startWatched(job, rehearsal ? RunTrigger.DRY_RUN : RunTrigger.MANUAL, parameters,
                request.caller());
        Optional<RunEnd> end = run.await(wait);
        Map<String, Object> answer = new LinkedHashMap<>(store.find(run.id()).map(RunRecord::json).orElseThrow());
        if (rehearsal) {
            answer.put("dryRun", true);
            answer.put("plan", store.plan(run.id()).stream().map(e -> Map.of("kind", e.kind(), "effect", e.effect())).toList());
        }
        answer.put("href", "/api/runs/" + run.id());
        return end.map(RunEnd::status).orElse(RunStatus.RUNNING) == RunStatus.FAILED ? Reply.failed(answer) : Reply.ok(answer);
    }
}
