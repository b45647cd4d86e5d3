package com.runbook.engine.schedule;

import com.runbook.engine.store.Database;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Predicate;

/**
 * overlap: skip across nodes: a {@code job_lock} row exists while a run of the job is going on, wherever it runs.
 * The primary key on the job makes a second insert fail, so two nodes can never both run it.
 * A row left by a node that died is stale: this node's own rows at start or when it runs nothing of that job,
 * and (clustered) rows of nodes that Quartz no longer lists in {@code qrtz_scheduler_state}.
 */
class OverlapLock {
    private final JdbcTemplate jdbc;
    /**
     * The insert that may hit the primary key runs in a savepoint where an error ends the transaction (PostgreSQL);
     * H2 undoes just the failed statement, so there the savepoint (a statement of its own, on every fire) is skipped.
     */
    private final TransactionTemplate savepoint;
    private final boolean statementRollbackOnly;
    private final String node;
    private final boolean clustered;

    OverlapLock(DataSource dataSource, String node, boolean clustered) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.savepoint = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.statementRollbackOnly = Database.isH2(dataSource);
        this.node = node;
        this.clustered = clustered;
    }

    /**
     * Takes the lock; returns null when taken, else the node that holds it. May run inside a transaction (the one
     * that inserts the run's job_run row).
     */
    String tryLock(String job, Predicate<String> runningHere) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Runnable insert = () -> jdbc.update("insert into job_lock (job, node, started_at) values (?, ?, ?)",
                        job, node, OffsetDateTime.now(ZoneOffset.UTC));
                if (statementRollbackOnly) {
                    insert.run();
                } else {
                    savepoint.executeWithoutResult(status -> insert.run());
                }
                return null;
            } catch (DataIntegrityViolationException held) {
                List<String> holder = jdbc.queryForList("select node from job_lock where job = ?", String.class, job);
                if (holder.isEmpty()) {
                    continue;
                }
                if (!isStale(job, holder.get(0), runningHere)) {
                    return holder.get(0);
                }
                jdbc.update("delete from job_lock where job = ? and node = ?", job, holder.get(0));
            }
        }
        return "another node";
    }

    private boolean isStale(String job, String holder, Predicate<String> runningHere) {
        if (holder.equals(node)) {
            return !runningHere.test(job);
        }
        return clustered && jdbc.queryForObject("select count(*) from qrtz_scheduler_state where instance_name = ?",
                Integer.class, holder) == 0;
    }

    void unlock(String job) {
        jdbc.update("delete from job_lock where job = ? and node = ?", job, node);
    }

    /** At start: nothing runs here yet, so this node's rows are left from a crash. Returns how many. */
    int releaseOwn() {
        return jdbc.update("delete from job_lock where node = ?", node);
    }

    /**
     * At start on a single node: every lock taken before this process started was taken by a process that is gone
     * (whatever its node name). Returns how many.
     */
    int releaseTakenBefore(java.time.Instant start) {
        return jdbc.update("delete from job_lock where started_at < ?", start.atOffset(ZoneOffset.UTC));
    }

    /** Clustered: the locks of nodes that are dead (see {@link #deadNodes}). Returns how many. */
    int releaseOf(java.util.Collection<String> nodes) {
        int released = 0;
        for (String dead : nodes) {
            released += jdbc.update("delete from job_lock where node = ?", dead);
        }
        return released;
    }

    /**
     * Clustered: the nodes other than this one that hold a lock or a running job_run row but whose scheduler
     * check-in is gone or expired (older than its interval plus Quartz's 7.5 s grace): they died.
     */
    java.util.Set<String> deadNodes(String schedulerName, long nowMillis) {
        java.util.Set<String> holders = new java.util.TreeSet<>(jdbc.queryForList(
                "select node from job_lock union select node from job_run where status = 'running'", String.class));
        holders.remove(node);
        if (!holders.isEmpty()) {
            holders.removeAll(jdbc.queryForList("select instance_name from qrtz_scheduler_state where sched_name = ?"
                    + " and last_checkin_time + checkin_interval + " + CHECKIN_GRACE_MS + " >= ?", String.class,
                    schedulerName, nowMillis));
        }
        return holders;
    }

    /** Quartz's grace beyond a node's check-in interval before another node declares it dead. */
    static final long CHECKIN_GRACE_MS = 7500;
}
