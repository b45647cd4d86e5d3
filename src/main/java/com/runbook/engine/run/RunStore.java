package com.runbook.engine.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.store.GroupCommit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes {@code job_run}. Writes go through a {@link GroupCommit}: the rows of runs that start or end at
 * the same moment (a burst of scheduled fires) share one transaction; each caller returns after its row committed.
 */
public class RunStore implements AutoCloseable {
    static final int MAX_ERROR = 4000;
    private static final String COLUMNS =
            "id, job, run_trigger, node, started_at, finished_at, status, error, attempt, scheduled_for, schedule_id, params";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writer threads of the group commit (each job's writes stay on one). */
    private static final int WRITERS = 4;
    private final JdbcTemplate jdbc;
    private final GroupCommit writes;

    public RunStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.writes = new GroupCommit(dataSource, "runbook-run-writes", WRITERS);
    }

    /** The group commit the job_run writes use: other writes that belong with a run's row join it (one commit). */
    public GroupCommit writes() {
        return writes;
    }

    public long start(String job, String trigger, String node, String status, String error) {
        return start(job, trigger, node, status, error, null);
    }

    /** @param scheduledFor the due time of the scheduled fire this row belongs to (null: not scheduled) */
    public long start(String job, String trigger, String node, String status, String error, Instant scheduledFor) {
        return start(job, trigger, node, status, error, scheduledFor, null, null);
    }

    /**
     * @param scheduleId the schedule a scheduled fire belongs to (null: not scheduled)
     * @param params     the run's parameters as recorded (secrets masked; null or empty: none)
     */
    public long start(String job, String trigger, String node, String status, String error, Instant scheduledFor,
                      String scheduleId, Map<String, String> params) {
        return writes.call(job, () -> insert(job, trigger, node, status, error, scheduledFor, scheduleId, params));
    }

    private long insert(String job, String trigger, String node, String status, String error, Instant scheduledFor,
                        String scheduleId, Map<String, String> params) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        OffsetDateTime now = now();
        // recorded ahead of its due time (the scheduler's lead): the run starts at the due time
        OffsetDateTime started = "running".equals(status) && scheduledFor != null && scheduledFor.isAfter(now.toInstant())
                ? scheduledFor.atOffset(ZoneOffset.UTC) : now;
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "insert into job_run (job, run_trigger, node, started_at, finished_at, status, error, scheduled_for,"
                            + " schedule_id, params) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
            ps.setString(1, job);
            ps.setString(2, trigger);
            ps.setString(3, node);
            ps.setObject(4, started);
            ps.setObject(5, "running".equals(status) ? null : now);
            ps.setString(6, status);
            ps.setString(7, truncate(error));
            ps.setObject(8, scheduledFor == null ? null : scheduledFor.atOffset(ZoneOffset.UTC));
            ps.setString(9, scheduleId);
            ps.setString(10, params == null || params.isEmpty() ? null : truncate(json(params)));
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    /** Ends a running run; false when it had ended already (e.g. marked failed by its timeout). */
    public boolean finish(String job, long id, String status, String error) {
        return writes.call(job, () -> jdbc.update("update job_run set status = ?, error = ?, finished_at = ? where id = ? and status = 'running'",
                status, truncate(error), now(), id) == 1);
    }

    /**
     * Ends the {@code running} rows of {@code nodes} (null: of every node) but those in {@code ours} (the runs this
     * process is running): runs of a process that is gone. They become failed with {@code reason}. Returns how many.
     * Not a time filter: a run recorded ahead of its due time starts at that due time, which can be after the restart.
     */
    public int abandon(java.util.Collection<String> nodes, java.util.Set<Long> ours, String reason) {
        if (nodes != null && nodes.isEmpty()) {
            return 0;
        }
        String in = nodes == null ? "" : " and node in (" + String.join(", ", java.util.Collections.nCopies(nodes.size(), "?")) + ")";
        String notOurs = ours.isEmpty() ? "" : " and id not in (" + String.join(", ", java.util.Collections.nCopies(ours.size(), "?")) + ")";
        List<Object> args = new java.util.ArrayList<>(List.of(truncate(reason), now()));
        if (nodes != null) {
            args.addAll(nodes);
        }
        args.addAll(ours);
        return jdbc.update("update job_run set status = 'failed', error = ?, finished_at = ? where status = 'running'"
                + in + notOurs, args.toArray());
    }

    public Optional<Map<String, Object>> find(long id) {
        return jdbc.query("select " + COLUMNS + " from job_run where id = ?", RunStore::row, id)
                .stream().findFirst();
    }

    public List<Map<String, Object>> list(String job, int limit) {
        if (job == null || job.isBlank()) {
            return jdbc.query("select " + COLUMNS + " from job_run order by id desc fetch first ? rows only",
                    RunStore::row, limit);
        }
        return jdbc.query("select " + COLUMNS + " from job_run where job = ? order by id desc fetch first ? rows only",
                RunStore::row, job, limit);
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

    private static Map<String, Object> row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", rs.getLong("id"));
        row.put("job", rs.getString("job"));
        row.put("trigger", rs.getString("run_trigger"));
        row.put("node", rs.getString("node"));
        OffsetDateTime started = rs.getObject("started_at", OffsetDateTime.class);
        OffsetDateTime finished = rs.getObject("finished_at", OffsetDateTime.class);
        row.put("startedAt", iso(started));
        row.put("finishedAt", iso(finished));
        row.put("durationMs", started != null && finished != null
                ? java.time.Duration.between(started, finished).toMillis() : null);
        row.put("status", rs.getString("status"));
        row.put("error", rs.getString("error"));
        row.put("attempt", rs.getInt("attempt"));
        row.put("scheduledFor", iso(rs.getObject("scheduled_for", OffsetDateTime.class)));
        row.put("scheduleId", rs.getString("schedule_id"));
        row.put("params", params(rs.getString("params")));
        return row;
    }

    private static String json(Map<String, String> params) {
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

    static String iso(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }

    @Override
    public void close() {
        writes.close();
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
    }
}
