package com.runbook.engine.store;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Group commit for small, frequent writes (job_run rows, overlap locks, alert webhook requests): callers on many threads hand their unit of
 * work to a writer thread, which runs every unit queued meanwhile in ONE transaction and commits once; a unit that
 * throws is undone alone (the batch is run again with each unit in a savepoint) and its caller gets the exception.
 * A caller returns only after the commit, so it sees its write durable exactly as with its own transaction. The scheduling benchmark showed
 * why: with one commit per statement, 200 fires a second spent most of their time parked in H2's commit
 * ({@code MVStore.commit}, every commit writes the store), and the fires queued behind each other.
 * Units must only use the database through Spring's {@code JdbcTemplate} (which joins the writer's transaction) and
 * must not wait for other threads. A unit started on a writer thread (a unit calling another) runs inline.
 * <p>
 * Several writers ("lanes") share the work so one writer is not starved of CPU on a busy machine; units with the same
 * key (a job name) always go to the same lane, so two lanes never write the same rows (job_lock is keyed by job,
 * job_run rows belong to one job) and cannot block each other.
 */
public final class GroupCommit implements AutoCloseable {
    /** Most units in one transaction: bounds the transaction's size, not its wait. */
    private static final int MAX_BATCH = 256;

    private record Unit<T>(Supplier<T> work, CompletableFuture<T> result) {
    }

    private final TransactionTemplate transactions;
    private final List<BlockingQueue<Unit<?>>> lanes = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    public GroupCommit(DataSource dataSource, String threadName, int lanes) {
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        for (int i = 0; i < lanes; i++) {
            BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
            this.lanes.add(queue);
            Thread writer = new Thread(() -> loop(queue), threadName + "-" + (i + 1));
            writer.setDaemon(true);
            writers.add(writer);
        }
        writers.forEach(Thread::start);
    }

    /** Runs {@code work} in the next group transaction and returns its result once that transaction committed. */
    public <T> T call(Supplier<T> work) {
        return call("", work);
    }

    /** Like {@link #call(Supplier)}, in the lane of {@code key}: the same key, the same writer. */
    public <T> T call(String key, Supplier<T> work) {
        if (writers.contains(Thread.currentThread())) {
            return work.get();
        }
        if (closed) {
            return transactions.execute(status -> work.get());
        }
        Unit<T> unit = new Unit<>(work, new CompletableFuture<>());
        int lane = Math.floorMod(key.hashCode(), lanes.size());
        lanes.get(lane).add(unit);
        try {
            while (true) {
                try {
                    return unit.result().get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    // queued just as the writer stopped (close): nobody else will run it
                    if (!writers.get(lane).isAlive() && lanes.get(lane).remove(unit)) {
                        return transactions.execute(status -> work.get());
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database write", e);
        }
    }

    /** Units waiting for the writer (not counting the batch it is running). */
    int queued() {
        return lanes.stream().mapToInt(BlockingQueue::size).sum();
    }

    /** {@link #call(String, Supplier)} without a result. */
    public void run(String key, Runnable work) {
        call(key, () -> {
            work.run();
            return null;
        });
    }

    private void loop(BlockingQueue<Unit<?>> queue) {
        List<Unit<?>> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (closed) {
                    queue.drainTo(batch);
                } else {
                    continue;
                }
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
            if (!batch.isEmpty()) {
                commit(batch);
            }
            batch.clear();
        }
    }

    /**
     * Runs a batch in one transaction, first without savepoints (a savepoint is a statement of its own). When a unit
     * throws, everything is rolled back and the batch runs again with each unit in a savepoint, so only that unit
     * fails. Units are database work only, so running them again is safe.
     */
    private void commit(List<Unit<?>> batch) {
        if (!attempt(batch, false)) {
            attempt(batch, true);
        }
    }

    /** False when, without savepoints, a unit of several threw: rolled back, nothing completed. */
    private boolean attempt(List<Unit<?>> batch, boolean savepoints) {
        Object[] results = new Object[batch.size()];
        RuntimeException[] errors = new RuntimeException[batch.size()];
        try {
            transactions.executeWithoutResult(status -> {
                for (int i = 0; i < batch.size(); i++) {
                    Supplier<?> work = batch.get(i).work();
                    if (!savepoints) {
                        try {
                            results[i] = work.get();
                        } catch (RuntimeException e) {
                            throw new UnitFailed(i, e);
                        }
                        continue;
                    }
                    Object savepoint = status.createSavepoint();
                    try {
                        results[i] = work.get();
                        status.releaseSavepoint(savepoint);
                    } catch (RuntimeException e) {
                        status.rollbackToSavepoint(savepoint);
                        errors[i] = e;
                    }
                }
            });
        } catch (UnitFailed failed) {
            if (batch.size() > 1) {
                return false;
            }
            batch.get(0).result().completeExceptionally(failed.getCause());
            return true;
        } catch (RuntimeException | Error commitFailed) {
            batch.forEach(u -> u.result().completeExceptionally(commitFailed));
            return true;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results[i], errors[i]);
        }
        return true;
    }

    /** A unit's exception in a batch run without savepoints. */
    private static final class UnitFailed extends RuntimeException {
        UnitFailed(int index, RuntimeException cause) {
            super("unit " + index + " failed", cause, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Unit<T> unit, Object result, RuntimeException error) {
        if (error != null) {
            unit.result().completeExceptionally(error);
        } else {
            unit.result().complete((T) result);
        }
    }

    /** Writes what is queued, then stops the writer; later calls run in a transaction of their own. */
    @Override
    public void close() {
        closed = true;
        writers.forEach(Thread::interrupt);
        for (Thread writer : writers) {
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
