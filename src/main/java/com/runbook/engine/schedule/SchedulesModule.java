package com.runbook.engine.schedule;

import com.runbook.engine.definition.Durations;
import com.runbook.engine.definition.Schedule;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.Reply;
import com.runbook.engine.definition.Parameters;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.run.JobRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared runbooks: every run is checked against its job's declared parameters (the runner looks them up in the
 * runbooks in force), and {@code GET /api/schedules[?job=]} lists every schedule with its id, job, params (secrets
 * masked), timing, next fire in UTC and in its zone, and its last run.
 */
public class SchedulesModule implements EngineModule {
    private final ScheduleManager scheduler;
    private final JobRunner runner;

    public SchedulesModule(ScheduleManager scheduler, JobRunner runner) {
        this.scheduler = scheduler;
        this.runner = runner;
    }


    @Override
    public void start(Parts parts) throws Exception {
        runner.parametersFrom(parts.runbooks()::parametersOf);
        parts.doors().open(Door.read("api-schedules", "/api/schedules", r -> Reply.ok(schedules(parts, r.query("job")))));
    }

    /** Every schedule in force (of {@code job} only, when given), in file order. */
    List<Map<String, Object>> schedules(Parts parts, String job) {
        Map<String, Instant> next = scheduler.nextFires();
        Map<String, Map<String, Object>> last = lastRuns(parts);
        Runbooks runbooks = parts.runbooks();
        return runbooks.schedules().stream().filter(s -> job == null || job.isBlank() || s.job().equals(job))
                .map(s -> view(s, runbooks.parametersOf(s.job()), s.enabled() ? next.get(s.id()) : null, last.get(s.id())))
                .toList();
    }

    /** One schedule as the API shows it. */
    public static Map<String, Object> view(Schedule s, Parameters declared, Instant next, Map<String, Object> lastRun) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("job", s.job());
        m.put("params", declared.recorded(s.params()));
        m.put("expression", s.describe());
        m.put("cron", s.cron());
        m.put("every", s.every() == null ? null : Durations.format(s.every()));
        m.put("zone", s.zone().getId());
        m.put("enabled", s.enabled());
        m.put("misfire", s.misfire());
        m.put("overlap", s.overlap());
        m.put("file", s.file() + ":" + s.line());
        m.put("nextFireUtc", next == null ? null : next.atOffset(ZoneOffset.UTC).toString());
        m.put("nextFireLocal", next == null ? null : next.atZone(s.zone()).toOffsetDateTime().toString());
        m.put("lastRun", lastRun);
        return m;
    }

    /** The newest run of each schedule: id, status, trigger, started. */
    static Map<String, Map<String, Object>> lastRuns(Parts parts) {
        Map<String, Map<String, Object>> last = new HashMap<>();
        new JdbcTemplate(parts.db()).query("select r.schedule_id, r.id, r.status, r.run_trigger, r.started_at"
                + " from job_run r join (select schedule_id, max(id) as id from job_run where schedule_id is not null"
                + " group by schedule_id) m on r.id = m.id", rs -> {
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("id", rs.getLong(2));
                    run.put("status", rs.getString(3));
                    run.put("trigger", rs.getString(4));
                    OffsetDateTime started = rs.getObject(5, OffsetDateTime.class);
                    run.put("startedAt", started == null ? null : started.withOffsetSameInstant(ZoneOffset.UTC).toString());
                    last.put(rs.getString(1), run);
                });
        return last;
    }
}
