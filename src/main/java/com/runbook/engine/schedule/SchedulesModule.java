package com.runbook.engine.schedule;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Reply;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.run.JobRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
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
    List<ScheduleView> schedules(Parts parts, String job) {
        Map<String, Instant> next = scheduler.nextFires();
        Map<String, ScheduleView.LastRun> last = lastRuns(parts);
        Runbooks runbooks = parts.runbooks();
        return runbooks.schedules().stream().filter(s -> job == null || job.isBlank() || s.job().equals(job))
                .map(s -> ScheduleView.of(s, runbooks.parametersOf(s.job()), s.enabled() ? next.get(s.id()) : null,
                        last.get(s.id())))
                .toList();
    }

    /** The newest run of each schedule, by schedule id. */
    static Map<String, ScheduleView.LastRun> lastRuns(Parts parts) {
        Map<String, ScheduleView.LastRun> last = new HashMap<>();
        new JdbcTemplate(parts.db()).query("select r.schedule_id, r.id, r.status, r.run_trigger, r.started_at"
                + " from job_run r join (select schedule_id, max(id) as id from job_run where schedule_id is not null"
                + " group by schedule_id) m on r.id = m.id", rs -> {
                    OffsetDateTime started = rs.getObject(5, OffsetDateTime.class);
                    last.put(rs.getString(1), new ScheduleView.LastRun(rs.getLong(2), rs.getString(3), rs.getString(4),
                            started == null ? null : ScheduleView.utc(started.toInstant())));
                });
        return last;
    }
}
