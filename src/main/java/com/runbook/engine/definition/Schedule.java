package com.runbook.engine.definition;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Map;

/**
 * When one job runs. Exactly one of {@code cron} (Quartz syntax, seconds first) and {@code every} is set.
 *
 * @param misfire  {@code fire-once-now} or {@code skip}: what to do with a fire missed while the engine was down
 * @param overlap  {@code skip} or {@code queue}: what to do when the previous run is still going
 * @param timeout  a run longer than this is marked failed (null: no limit)
 * @param window   maintenance window opened at each fire and lasting this long (null: none)
 * @param id       the schedule's own id, unique across schedules/ (default: the job); its Quartz trigger's name
 * @param params   the parameters each run gets, as written (checked against the job's declaration by validate)
 */
public record Schedule(String job, String cron, Duration every, ZoneId zone, boolean enabled, String misfire,
                       String overlap, Duration timeout, Duration window, String file, int line, String id,
                       Map<String, String> params) {

    /** A schedule with the default id (the job) and no parameters. */
    public Schedule(String job, String cron, Duration every, ZoneId zone, boolean enabled, String misfire,
                    String overlap, Duration timeout, Duration window, String file, int line) {
        this(job, cron, every, zone, enabled, misfire, overlap, timeout, window, file, line, job, Map.of());
    }

    /** The next fire strictly after {@code after}, computed from the definition (not from a running scheduler). */
    public Instant nextFireAfter(Instant after) {
        if (!enabled) {
            return null;
        }
        if (every != null) {
            return null;
        }
        Date next = parsedCron().timeAfter(Date.from(after));
        return next == null ? null : next.toInstant();
    }

    /**
     * The cron expression in the schedule's zone (the file was validated, so it parses), parsed once and shared by
     * every schedule with the same cron and zone ({@link Crons}): read it, never change it.
     */
    public CronExpression cronExpression() {
        return parsedCron().expression();
    }

    /** The shared parsed cron, with its memo of fire times. */
    public Crons.Parsed parsedCron() {
        try {
            return Crons.parsed(cron, zone);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    public String describe() {
        return cron != null ? cron : "every " + Durations.format(every);
    }
}
