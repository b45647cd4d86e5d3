package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code runbook audit [--since 24h] [--actor alice] [--job x] [--action a] [--limit n]}: the audit trail of a running
 * engine, newest first (GET /api/audit); {@code --verify}: the chain recomputed (GET /api/audit/verify), exit status 1
 * and the problem's message when an entry was altered, removed or reordered.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Show who did what: the audit trail of a running engine, newest first (GET /api/audit). With "
                + "--verify, recompute its hash chain (GET /api/audit/verify): exit status 0 when intact, 1 with the "
                + "first entry altered, removed or reordered.")
class AuditCommand implements Callable<Integer> {
    /** Exit status of {@code --verify} when the trail was tampered with. */
    static final int TAMPERED = 1;

    @Mixin
    OpsCommands.Remote remote;

    @Option(names = "--since", paramLabel = "WHEN", description = "only entries since then: a duration back from now "
            + "(30m, 24h, 7d) or an ISO-8601 instant (2026-12-06T14:00:00Z)")
    String since;

    @Option(names = "--actor", paramLabel = "WHO", description = "only this actor: a token's name (alice), or an id "
            + "(token:alice, schedule:nightly-backup, alert:<fingerprint>, engine:file-watcher)")
    String actor;

    @Option(names = "--job", paramLabel = "JOB", description = "only entries about this runbook")
    String job;

    @Option(names = "--action", paramLabel = "ACTION", description = "only this kind of change (run.started, "
            + "incident.acknowledged, trading.halted, trading.resumed, dns.changed, dns.rolled-back, page.retried, "
            + "token.created, token.revoked, reload.applied, reload.refused)")
    String action;

    @Option(names = "--limit", paramLabel = "N", description = "at most N entries (1-1000, default 100)")
    Integer limit;

    @Option(names = "--verify", description = "recompute the hash chain; exit 1 if an entry was altered, removed or "
            + "reordered")
    boolean verify;

    @Override
    public Integer call() {
        if (verify) {
            JsonNode verdict = remote.client().get("/api/audit/verify");
            if (remote.json) {
                remote.print(verdict);
            } else {
                remote.out().println(verdictLine(verdict));
                remote.out().flush();
            }
            return verdict.path("ok").asBoolean(false) ? 0 : TAMPERED;
        }
        return remote.show(path(), AuditCommand::table, "no audit entries" + (filtered() ? " match" : " yet"));
    }

    private boolean filtered() {
        return since != null || actor != null || job != null || action != null;
    }

    String path() {
        List<String> query = new ArrayList<>();
        add(query, "since", since);
        add(query, "actor", actor);
        add(query, "job", job);
        add(query, "action", action);
        add(query, "limit", limit == null ? null : limit.toString());
        return "/api/audit" + (query.isEmpty() ? "" : "?" + String.join("&", query));
    }

    private static void add(List<String> query, String name, String value) {
        if (value != null && !value.isBlank()) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    /** One line: {@code audit trail intact: 42 entries, head 3fa2…} or the problem found. */
    static String verdictLine(JsonNode verdict) {
        long entries = verdict.path("entries").asLong();
        String anchors = verdict.has("anchors") ? ", " + verdict.get("anchors").asLong() + " daily anchors" : "";
        if (verdict.path("ok").asBoolean(false)) {
            return "audit trail intact: " + entries + " entries" + anchors + ", head " + verdict.path("head").asText();
        }
        JsonNode problem = verdict.path("problem");
        return "audit trail TAMPERED (" + problem.path("kind").asText() + "): " + problem.path("message").asText()
                + " (" + entries + " entries" + anchors + ")";
    }

    static Table table(JsonNode entries) {
        Table table = new Table("SEQ", "AT (UTC)", "ACTOR", "ACTION", "JOB", "SUBJECT");
        for (JsonNode e : entries) {
            table.row(e.path("seq").asText(), OpsCommands.utc(OpsCommands.text(e, "at")), OpsCommands.text(e, "actor"),
                    OpsCommands.text(e, "action"), OpsCommands.text(e, "job"), OpsCommands.text(e, "subject"));
        }
        return table;
    }
}
