package com.runbook.engine.run;

import com.runbook.engine.TestEngine;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("db")
class RunHistoryTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    HikariDataSource ds;
    JdbcTemplate jdbc;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        jdbc = new JdbcTemplate(ds);
    }

    @AfterEach
    void tearDown() {
        ds.close();
    }

    long run(String job, String status, Instant finished) {
        jdbc.update("insert into job_run (job, run_trigger, node, started_at, finished_at, status) values (?, 'schedule', 'n', ?, ?, ?)",
                job, Timestamp.from(finished.minusSeconds(1)), finished == null ? null : Timestamp.from(finished), status);
        return jdbc.queryForObject("select max(id) from job_run", Long.class);
    }

    List<Long> ids() {
        return jdbc.queryForList("select id from job_run order by id", Long.class);
    }

    @Test
    void deletesFinishedRunsOlderThanTheCutoffButKeepsEachJobsNewestAndRunningOnes() {
        Instant cutoff = NOW.minusSeconds(86_400);
        long oldWatchdog = run("health-watchdog", "succeeded", cutoff.minusSeconds(60));
        long oldWatchdog2 = run("health-watchdog", "skipped", cutoff.minusMillis(1));
        long atCutoff = run("health-watchdog", "failed", cutoff);
        long recentWatchdog = run("health-watchdog", "succeeded", NOW);
        long onlyBackup = run("nightly-backup", "succeeded", cutoff.minusSeconds(30 * 86_400));
        jdbc.update("insert into job_run (job, run_trigger, node, started_at, status) values ('daily-pnl', 'manual', 'n', ?, 'running')",
                Timestamp.from(cutoff.minusSeconds(3600)));
        long oldRunning = jdbc.queryForObject("select max(id) from job_run", Long.class);
        run("daily-pnl", "succeeded", NOW);

        int deleted = new RunHistory(ds).prune(cutoff);

        assertThat(deleted).isEqualTo(2);
        assertThat(ids()).doesNotContain(oldWatchdog, oldWatchdog2)
                .contains(atCutoff, recentWatchdog, onlyBackup, oldRunning);
    }

    @Test
    void deletesInBatchesUntilNothingIsLeft() {
        Instant old = NOW.minusSeconds(7 * 86_400);
        int rows = RunHistory.BATCH * 2 + 7;
        jdbc.batchUpdate("insert into job_run (job, run_trigger, node, started_at, finished_at, status) values ('health-watchdog', 'schedule', 'n', ?, ?, 'succeeded')",
                java.util.stream.IntStream.range(0, rows).mapToObj(i -> new Object[]{Timestamp.from(old), Timestamp.from(old.plusMillis(i))}).toList());

        assertThat(new RunHistory(ds).prune(NOW)).isEqualTo(rows - 1);
        assertThat(ids()).hasSize(1);
        assertThat(new RunHistory(ds).prune(NOW)).isZero();
    }

    @Test
    void aPrunedRunTakesItsTimelineAndLogAlong() {
        Instant cutoff = NOW.minusSeconds(86_400);
        long old = run("nightly-backup", "succeeded", cutoff.minusSeconds(60));
        long kept = run("nightly-backup", "succeeded", NOW);
        for (long id : new long[] {old, kept}) {
            jdbc.update("insert into run_step (run_id, seq, node, kind, started_at, duration_ms, outcome, step_count)"
                    + " values (?, 1, 'to1', 'to', ?, 5, 'ok', 1)", id, Timestamp.from(NOW));
            jdbc.update("insert into run_log_line (run_id, n, at, level, logger, message) values (?, 1, ?, 'INFO', 'x', 'hi')",
                    id, Timestamp.from(NOW));
        }

        assertThat(new RunHistory(ds).prune(cutoff)).isEqualTo(1);

        assertThat(jdbc.queryForList("select run_id from run_step", Long.class)).containsExactly(kept);
        assertThat(jdbc.queryForList("select run_id from run_log_line", Long.class)).containsExactly(kept);
    }
}
