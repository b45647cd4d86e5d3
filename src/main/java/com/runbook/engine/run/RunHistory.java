package com.runbook.engine.run;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code job_run} from growing without end (the 15 s watchdog alone writes 5,760 rows a day): finished runs
 * older than {@code runbook.history.retention} are deleted hourly, in batches, except each job's newest run, which
 * the API shows as its last status and the misfire check reads as its last due time. Running rows are never touched.
 */
public final class RunHistory implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(RunHistory.class);
    static final int BATCH = 1000;

    private JdbcTemplate jdbc;
    private ScheduledExecutorService timer;

    public RunHistory() {
    }

    RunHistory(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** The {@code runbook.history.*} settings: how long finished runs stay, and how often older ones are deleted. */
    record HistorySettings(Duration retention, Duration pruneEvery) {
        static HistorySettings from(Settings s) {
            return new HistorySettings(s.duration("runbook.history.retention"), s.duration("runbook.history.prune-every"));
        }
    }

    @Override
    public void start(Parts parts) {
        HistorySettings settings = HistorySettings.from(parts.settings());
        Duration retention = settings.retention();
        long every = settings.pruneEvery().toMillis();
        jdbc = new JdbcTemplate(parts.db());
        timer = parts.camel().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "runbook-history");
        timer.scheduleWithFixedDelay(() -> {
            try {
                int deleted = prune(Instant.now().minus(retention));
                if (deleted > 0) {
                    LOG.info("Deleted {} job runs that finished more than {} ago", deleted, retention);
                }
            } catch (RuntimeException e) {
                LOG.warn("Pruning job_run failed; will retry", e);
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Deletes the finished runs that ended before {@code cutoff}, keeping each job's newest run; returns how many. */
    int prune(Instant cutoff) {
        int total = 0;
        List<Long> ids;
        do {
            // a batch at a time: no long lock on job_run while schedules keep writing to it
            ids = jdbc.queryForList("select r.id from job_run r where r.finished_at < ? and r.status <> 'running'"
                    + " and exists (select 1 from job_run n where n.job = r.job and n.id > r.id)"
                    + " order by r.id fetch first " + BATCH + " rows only", Long.class, Timestamp.from(cutoff));
            jdbc.batchUpdate("delete from job_run where id = ?", ids.stream().map(id -> new Object[]{id}).toList());
            total += ids.size();
        } while (ids.size() == BATCH);
        return total;
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
