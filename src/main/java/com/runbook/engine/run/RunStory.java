package com.runbook.engine.run;

import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunStep;
import com.runbook.engine.text.Text;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every run's story (issue 22): its step timeline ({@code run_step}) and its log ({@code run_log_line}). While a run
 * goes on its {@link Story} lives in memory (what {@code GET /api/runs/{id}/log} follows); it is saved just before the
 * run's end is recorded, and deleted with the run's row (foreign key, on delete cascade).
 */
public final class RunStory {
    /** The story of the run the calling thread is running (its log lines go there); null outside a run. */
    private static final ThreadLocal<Story> CURRENT = new ThreadLocal<>();

    private final JdbcTemplate jdbc;
    private final Map<Long, Story> live = new ConcurrentHashMap<>();

    public RunStory(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** The story of the run the calling thread runs, if it runs one: where a log line logged now belongs. */
    public static Story current() {
        return CURRENT.get();
    }

    /** Starts the story of run {@code id} and makes it the calling thread's. */
    Story open(long id) {
        Story story = new Story(id);
        live.put(id, story);
        CURRENT.set(story);
        return story;
    }

    /** The calling thread no longer runs {@code story}'s run. */
    static void leave(Story story) {
        if (CURRENT.get() == story) {
            CURRENT.remove();
        }
    }

    /**
     * Saves the story of run {@code id} (in the caller's transaction: the run's end joins it) and forgets it in memory;
     * nothing when it was saved already.
     */
    void save(long id) {
        Story story = live.get(id);
        if (story == null) {
            return;
        }
        List<RunStep> steps = story.steps();
        jdbc.batchUpdate("insert into run_step (run_id, seq, node, kind, uri, source, started_at, duration_ms, outcome,"
                + " step_count) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", steps.stream().map(s -> new Object[] {id, s.seq(),
                Text.clean(s.node(), 200), Text.clean(s.kind(), 60), Text.clean(s.uri(), 1000), Text.clean(s.source(), 500),
                time(s.startedAt()), s.durationMs(), s.outcome(), s.count()}).toList());
        jdbc.batchUpdate("insert into run_log_line (run_id, n, at, level, logger, message) values (?, ?, ?, ?, ?, ?)",
                story.lines().stream().map(l -> new Object[] {id, l.n(), time(l.at()), l.level(),
                        Text.clean(l.logger(), 300), l.message()}).toList());
        if (story.truncated()) {
            jdbc.update("update job_run set log_truncated = true where id = ?", id);
        }
    }

    /** Forgets the story of run {@code id} in memory (saved or not). */
    void forget(long id) {
        live.remove(id);
    }

    /** The live story of a run going on in this engine. */
    Optional<Story> live(long id) {
        return Optional.ofNullable(live.get(id));
    }

    /** Run {@code id}'s timeline: the live one while it runs here, else the saved one. */
    List<RunStep> steps(long id) {
        Story story = live.get(id);
        if (story != null) {
            return story.steps();
        }
        return jdbc.query("select seq, node, kind, uri, source, started_at, duration_ms, outcome, step_count from run_step"
                + " where run_id = ? order by seq", (rs, n) -> new RunStep(rs.getInt(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), RunStore.iso(rs.getObject(6, OffsetDateTime.class)), rs.getLong(7),
                rs.getString(8), rs.getInt(9)), id);
    }

    /** Run {@code id}'s log from line {@code from} on: the live one while it runs here, else the saved one. */
    RunLog.LogLines log(long id, int from) {
        Story story = live.get(id);
        if (story != null) {
            return story.log(from);
        }
        List<RunLog.LogLine> lines = jdbc.query("select n, at, level, logger, message from run_log_line where run_id = ?"
                + " and n >= ? order by n", (rs, n) -> new RunLog.LogLine(rs.getInt(1),
                RunStore.iso(rs.getObject(2, OffsetDateTime.class)), rs.getString(3), rs.getString(4), rs.getString(5)),
                id, from);
        Boolean truncated = jdbc.query("select log_truncated from job_run where id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, id);
        return new RunLog.LogLines(lines, Boolean.TRUE.equals(truncated));
    }

    private static OffsetDateTime time(String iso) {
        return Instant.parse(iso).atOffset(ZoneOffset.UTC);
    }
}
