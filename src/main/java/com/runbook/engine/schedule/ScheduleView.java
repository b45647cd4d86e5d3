package com.runbook.engine.schedule;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.definition.Parameters;
import com.runbook.engine.definition.Schedule;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One schedule as the API shows it ({@code GET /api/schedules}, and each job's {@code schedules} in {@code GET
 * /api/jobs}).
 *
 * @param params        the parameters each run gets, secrets masked
 * @param expression    the timing in words
 * @param every         the interval ({@code 15s}), or null for a cron schedule
 * @param file          {@code schedules/<file>:<line>}
 * @param nextFireUtc   the next fire in UTC, or null when none (disabled)
 * @param nextFireLocal the next fire in the schedule's zone, or null
 * @param lastRun       the schedule's newest run, or null (always null in {@code /api/jobs})
 */
@JsonPropertyOrder({"id", "job", "params", "expression", "cron", "every", "zone", "enabled", "misfire", "overlap",
        "file", "nextFireUtc", "nextFireLocal", "lastRun"})
public record ScheduleView(String id, String job, Map<String, String> params, String expression, String cron,
                           String every, String zone, boolean enabled, String misfire, String overlap, String file,
                           String nextFireUtc, String nextFireLocal, LastRun lastRun) {

    /** A schedule's newest run: its id, status, trigger and start (UTC). */
    @JsonPropertyOrder({"id", "status", "trigger", "startedAt"})
    public record LastRun(long id, String status, String trigger, String startedAt) {
    }

    static ScheduleView of(Schedule s, Parameters declared, Instant next, LastRun lastRun) {
        return new ScheduleView(s.id(), s.job(), declared.recorded(s.params()), s.describe(), s.cron(),
                s.every() == null ? null : Durations.format(s.every()), s.zone().getId(), s.enabled(), s.misfire(),
                s.overlap(), s.file() + ":" + s.line(), utc(next), local(next, s), lastRun);
    }

    /** RFC 3339 with its seconds: {@code OffsetDateTime.toString} drops ":00", which {@code Instant.parse} refuses. */
    static String utc(Instant at) {
        return at == null ? null : at.toString();
    }

    static String local(Instant at, Schedule s) {
        return at == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(at.atZone(s.zone()));
    }
}
