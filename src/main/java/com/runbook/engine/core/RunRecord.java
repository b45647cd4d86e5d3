package com.runbook.engine.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of {@code job_run}, as the API, the console and the CLI show it.
 *
 * @param trigger      the stored trigger ({@code manual}, {@code schedule}, {@code misfire}, {@code alert}, {@code dns})
 * @param startedAt    ISO-8601 UTC, as {@link #json()} shows it
 * @param finishedAt   ISO-8601 UTC, null while running
 * @param durationMs   null while running
 * @param scheduledFor the due time of a scheduled fire (ISO-8601 UTC), null for other runs
 * @param scheduleId   the schedule of a scheduled fire, null for other runs
 * @param params       the parameters as recorded (declared ones, secrets masked)
 * @param by           who or what started the run ({@link Actor#id()}: {@code token:alice}, {@code schedule:nightly-backup}),
 *                     null for rows written before runs named their actor
 */
public record RunRecord(long id, String job, String trigger, String node, String startedAt, String finishedAt,
                        Long durationMs, RunStatus status, String error, int attempt, String scheduledFor,
                        String scheduleId, Map<String, String> params, String by) {

    /** The JSON object of {@code GET /api/runs/{id}}: these field names, in this order, are what clients read. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("job", job);
        m.put("trigger", trigger);
        m.put("by", by);
        m.put("node", node);
        m.put("startedAt", startedAt);
        m.put("finishedAt", finishedAt);
        m.put("durationMs", durationMs);
        m.put("status", status.stored());
        m.put("error", error);
        m.put("attempt", attempt);
        m.put("scheduledFor", scheduledFor);
        m.put("scheduleId", scheduleId);
        m.put("params", params);
        return m;
    }
}
