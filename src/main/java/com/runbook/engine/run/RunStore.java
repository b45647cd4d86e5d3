package com.runbook.engine.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunRecord;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunStep;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.store.GroupCommit;
import com.runbook.engine.text.Text;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes {@code job_run}. Writes go through a {@link GroupCommit}: the rows of runs that start or end at
 * the same moment (a burst of scheduled fires) share one transaction; each caller returns after its row committed.
 */
public class RunStore implements RunLog, AutoCloseable {
    /** The size of {@code job_run.error} and {@code job_run.params} (the parameters' JSON). */
    static final int MAX_TEXT = 4000;
    private static final String COLUMNS =
            "id, job, run_trigger, node, started_at, finished_at, status, error, attempt, scheduled_for, schedule_id, params,"
                    + " started_by";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writer threads of the group commit (each job's writes stay on one). */
    private static final int WRITERS = 4;
    private final JdbcTemplate jdbc;
    private final GroupCommit writes;
    private final RunStory story;
    private final Audit audit;

    /** @param audit where each run that starts records its {@code run.started} entry, in the unit inserting its row */
    public RunStore(DataSource dataSource, Audit audit) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.audit = audit;
        this.writes = new GroupCommit(dataSource, "runbook-run-writes", WRITERS);
        this.story = new RunStory(dataSource);
    }

    /** The runs' stories (timeline and log). */
    public RunStory story() {
        return story;
    }

    @Override
    public List<RunStep> steps(long id) {
        return story.steps(id);
    }

    @Override
    public LogLines log(long id, int from) {
        return story.log(id, from);
    }

    /** The group commit the job_run writes use: other writes that belong with a run's row join it (one commit). */
    GroupCommit writes() {
        return writes;
    }

    /**
     * Inserts a run's row and, for a run that starts ({@code running}), its {@code run.started} audit entry in the same
     * unit of the group commit: the row and its entry commit together or not at all. A {@code skipped} fire did not
     * start anything: its row names the schedule, and no entry is recorded.
     *
     * @param scheduledFor the due time of the scheduled fire this row belongs to (null: not scheduled)
     * @param scheduleId   the schedule a scheduled fire belongs to (null: not scheduled)
     * @param params       the run's parameters as recorded (secrets masked; null or empty: none)
     * @param by           on whose behalf the run starts
     */
    long start(String job, String trigger, String node, RunStatus status, String error, Instant scheduledFor,
               String scheduleId, Map<String, String> params, Actor by) {
        return writes.call(job, () -> {
            long id = insert(job, trigger, node, status, error, scheduledFor, scheduleId, params, by);
            if (status == RunStatus.RUNNING) {
                audit.record(started(id, job, trigger, scheduledFor, scheduleId, params, by));
            }
            return id;
        });
    }

    /**
     * The {@code run.started} entry of run {@code id}: subject {@code run <id>}, detail {@code runId}, {@code trigger},
     * {@code dryRun}, {@code params} (as recorded: secrets masked), and for a scheduled fire {@code scheduleId} and
     * {@code scheduledFor}.
     */
    static AuditEntry started(long id, String job, String trigger, Instant scheduledFor, String scheduleId,
                              Map<String, String> params, Actor by) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("runId", id);
        detail.put("trigger", trigger);
        detail.put("dryRun", RunTrigger.DRY_RUN.stored().equals(trigger));
        detail.put("params", params == null ? Map.of() : new LinkedHashMap<>(params));
        if (scheduleId != null) {
            detail.put("scheduleId", scheduleId);
        }
        if (scheduledFor != null) {
            detail.put("scheduledFor", scheduledFor.toString());
        }
        return new AuditEntry(AuditAction.RUN_STARTED, by, job, "run " + id, detail);
    }

    private long insert(String job, String trigger, String node, RunStatus status, String error, Instant scheduledFor,
                        String scheduleId, Map<String, String> params, Actor by) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        OffsetDateTime now = now();
        boolean running = status == RunStatus.RUNNING;
        // recorded ahead of its due time (the scheduler's lead): the run starts at the due time
        OffsetDateTime started = running && scheduledFor != null && scheduledFor.isAfter(now.toInstant())
                ? scheduledFor.atOffset(ZoneOffset.UTC) : now;
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "insert into job_run (job, run_trigger, node, started_at, finished_at, status, error, scheduled_for,"
                            + " schedule_id, params, started_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
            ps.setString(1, job);
            ps.setString(2, trigger);
            ps.setString(3, node);
            ps.setObject(4, started);
            ps.setObject(5, running ? null : now);
            ps.setString(6, status.stored());
            ps.setString(7, truncate(error));
            ps.setObject(8, scheduledFor == null ? null : scheduledFor.atOffset(ZoneOffset.UTC));
            ps.setString(9, scheduleId);
            ps.setString(10, params == null || params.isEmpty() ? null : json(params));
            ps.setString(11, by == null ? null : Text.clean(by.id(), 200));
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    /** Ends a running run; false when it had ended already (e.g. marked failed by its timeout). */
    boolean finish(String job, long id, RunStatus status, String error) {
        return writes.call(job, () -> jdbc.update("update job_run set status = ?, error = ?, finished_at = ? where id = ? and status = 'running'",
                status.stored(), truncate(error), now(), id) == 1);
    }

    /**
     * Ends the {@code running} rows of {@code nodes} (null: of every node) but those in {@code ours} (the runs this
     * process is running): runs of a process that is gone. They become failed with {@code reason}. Returns how many.
     * Not a time filter: a run recorded ahead of its due time starts at that due time, which can be after the restart.
     */
    int abandon(Collection<String> nodes, Set<Long> ours, String reason) {
        if (nodes != null && nodes.isEmpty()) {
            return 0;
        }
        String in = nodes == null ? "" : " and node in (" + String.join(", ", Collections.nCopies(nodes.size(), "?")) + ")";
        String notOurs = ours.isEmpty() ? "" : " and id not in (" + String.join(", ", Collections.nCopies(ours.size(), "?")) + ")";
        List<Object> args = new ArrayList<>(List.of(truncate(reason), now()));
        if (nodes != null) {
            args.addAll(nodes);
        }
        args.addAll(ours);
        return jdbc.update("update job_run set status = 'failed', error = ?, finished_at = ? where status = 'running'"
                + in + notOurs, args.toArray());
    }

    @Override
    public Optional<RunRecord> find(long id) {
        return jdbc.query("select " + COLUMNS + " from job_run where id = ?", RunStore::row, id)
                .stream().findFirst();
    }

    @Override
    public List<RunRecord> list(String job, int limit) {
        return list(job, null, limit);
    }

    @Override
    public List<RunRecord> list(String job, RunStatus status, int limit) {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (job != null && !job.isBlank()) {
            where.add("job = ?");
            args.add(job);
        }
        if (status != null) {
            where.add("status = ?");
            args.add(status.stored());
        }
        args.add(limit);
        return jdbc.query("select " + COLUMNS + " from job_run" + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by id desc fetch first ? rows only", RunStore::row, args.toArray());
    }

    @Override
    public List<DryRun.Effect> plan(long id) {
        return jdbc.query("select kind, effect from run_plan where run_id = ? order by seq",
                (rs, i) -> new DryRun.Effect(rs.getString(1), rs.getString(2)), id);
    }

    /** The status of the newest run of each job. */
    public Map<String, String> lastStatusByJob() {
        Map<String, String> result = new LinkedHashMap<>();
        jdbc.query("select r.job, r.status from job_run r join (select job, max(id) as id from job_run group by job) m"
                + " on r.id = m.id", rs -> {
                    result.put(rs.getString(1), rs.getString(2));
                });
        return result;
    }

    private static RunRecord row(ResultSet rs, int n) throws SQLException {
        OffsetDateTime started = rs.getObject("started_at", OffsetDateTime.class);
        OffsetDateTime finished = rs.getObject("finished_at", OffsetDateTime.class);
        return new RunRecord(rs.getLong("id"), rs.getString("job"), rs.getString("run_trigger"), rs.getString("node"),
                iso(started), iso(finished),
                started != null && finished != null ? Duration.between(started, finished).toMillis() : null,
                RunStatus.of(rs.getString("status")), rs.getString("error"), rs.getInt("attempt"),
                iso(rs.getObject("scheduled_for", OffsetDateTime.class)), rs.getString("schedule_id"),
                params(rs.getString("params")), rs.getString("started_by"));
    }

    /**
     * The parameters' JSON, within {@link #MAX_TEXT} characters: each value is cut ({@link Text#clean}) as far as
     * needed, so that the stored text stays a JSON object (a cut through the whole text read back as none); when even
     * short values do not fit, the last parameters are dropped and one entry says how many.
     */
    static String json(Map<String, String> params) {
        String whole = write(params);
        if (whole.length() <= MAX_TEXT) {
            return whole;
        }
        int longest = params.values().stream().mapToInt(v -> v == null ? 0 : v.length()).max().orElse(0);
        for (int cap = Math.min(longest, MAX_TEXT); cap > Text.MARK.length(); cap = cap * 3 / 4) {
            String cut = write(cut(params, cap, params.size()));
            if (cut.length() <= MAX_TEXT) {
                return cut;
            }
        }
        int cap = Text.MARK.length() + 8;
        for (int keep = params.size() - 1; ; keep--) {
            Map<String, String> kept = cut(params, cap, keep);
            kept.put(Text.DROPPED, (params.size() - keep) + " dropped");
            String cut = write(kept);
            if (cut.length() <= MAX_TEXT || keep == 0) {
                return cut;
            }
        }
    }

    /** The first {@code keep} parameters, names and values cut to {@code cap} characters. */
    private static Map<String, String> cut(Map<String, String> params, int cap, int keep) {
        Map<String, String> cut = new LinkedHashMap<>();
        params.entrySet().stream().limit(keep).forEach(e -> cut.put(Text.clean(e.getKey(), Math.min(cap, Text.NAME)),
                Text.clean(e.getValue(), cap)));
        return cut;
    }

    private static String write(Map<String, String> params) {
        try {
            return JSON.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Map<String, String> params(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** An instant in UTC, always with its seconds ({@code OffsetDateTime.toString} drops ":00", which Instant.parse refuses). */
    static String iso(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    @Override
    public void close() {
        writes.close();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }
}
