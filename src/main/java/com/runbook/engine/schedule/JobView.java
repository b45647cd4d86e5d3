package com.runbook.engine.schedule;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.definition.Schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One job as {@code GET /api/jobs} shows it: its file, its first schedule in short, that schedule's next fire, the
 * status of its newest run, and every schedule that runs it.
 *
 * @param file          the job's route file
 * @param role          the role needed to run it ({@code operator}, or what its runbook declares in {@code - access:});
 *                      rehearsing it (a dry run) needs operator
 * @param schedule      its first schedule (null for a job run only by hand or by alert)
 * @param nextFireUtc   that schedule's next fire in UTC, or null
 * @param nextFireLocal that schedule's next fire in its zone, or null
 * @param lastStatus    the status of the job's newest run, or null
 * @param schedules     every schedule of the job, in file order
 */
@JsonPropertyOrder({"id", "file", "role", "schedule", "nextFireUtc", "nextFireLocal", "lastStatus", "schedules"})
public record JobView(String id, String file, String role, Summary schedule, String nextFireUtc, String nextFireLocal,
                      String lastStatus, List<ScheduleView> schedules) {

    /** A job's first schedule, in short. */
    @JsonPropertyOrder({"expression", "zone", "enabled", "overlap", "misfire", "file"})
    public record Summary(String expression, String zone, boolean enabled, String overlap, String misfire,
                          String file) {
    }

    /**
     * Every job in force with its schedules and next fires.
     *
     * @param lastStatus the status of each job's newest run, by job
     */
    public static List<JobView> list(Runbooks runbooks, ScheduleManager scheduler, Map<String, String> lastStatus) {
        Map<String, List<Schedule>> all = new HashMap<>();
        runbooks.schedules().forEach(s -> all.computeIfAbsent(s.job(), j -> new ArrayList<>()).add(s));
        Map<String, Instant> nextFires = scheduler.nextFires();
        List<JobView> jobs = new ArrayList<>();
        runbooks.jobs().forEach((id, file) -> {
            List<Schedule> schedules = all.getOrDefault(id, List.of());
            Schedule first = schedules.isEmpty() ? null : schedules.get(0);
            Instant next = first == null || !first.enabled() ? null : nextFires.get(first.id());
            jobs.add(new JobView(id, file, runbooks.roleOf(id).stored(), first == null ? null : new Summary(first.describe(), first.zone().getId(),
                    first.enabled(), first.overlap(), first.misfire(), first.file()),
                    ScheduleView.utc(next), first == null ? null : ScheduleView.local(next, first), lastStatus.get(id),
                    schedules.stream().map(s -> ScheduleView.of(s, runbooks.parametersOf(id),
                            s.enabled() ? nextFires.get(s.id()) : null, null)).toList()));
        });
        return jobs;
    }
}
