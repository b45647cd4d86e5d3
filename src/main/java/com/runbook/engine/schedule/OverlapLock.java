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

    /** At start: nothing runs here yet, so this node's rows are left from a crash. */
    void releaseOwn() {
        jdbc.update("delete from job_lock where node = ?", node);
    }
}
