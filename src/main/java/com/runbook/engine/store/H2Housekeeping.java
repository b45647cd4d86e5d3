package com.runbook.engine.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * H2's own store housekeeping for an embedded H2 opened with {@code WRITE_DELAY=0}.
 * <p>
 * H2's MVStore never overwrites data in place: every commit appends a chunk, and the chunks whose pages were
 * replaced are rewritten and freed by its background writer thread (compaction). {@code WRITE_DELAY=0} (what makes
 * a commit survive a killed process) sets the store's auto-commit delay to 0, and with it H2 starts no background
 * thread at all, so nothing ever compacts: at 500 alerts/s the file grew to 3.1 GB in 5 minutes with 4 % of it live.
 * This runs, on a timer thread of its own, the very step H2's background thread runs ({@code
 * FileStore.writeInBackground}: store what is unsaved if the lock is free, then its housekeeping: rewrite sparse
 * chunks, move chunks down, truncate the file end), under H2's own locks; it also rewrites a small piece of the
 * sparsest chunks every step ({@link #REWRITE_BYTES}), syncs the file once a second, lowers H2's retention of freed
 * chunks to {@link #RETENTION} (see there), and compacts the file at a stop. H2 does not expose that step
 * publicly, hence the reflection; it is checked at start and the engine warns (and goes on, uncompacted) when an H2
 * upgrade removes it.
 * <p>
 * Compaction makes H2 reuse freed holes of the file, which is where H2's crash recovery loses the newest commits
 * unless the file is opened through {@link H2StoreHeader} (the default URL does): with it, no acknowledged alert was
 * lost across SIGKILLs (AlertKillTest, bench/HISTORY.md).
 */
public final class H2Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);
    /**
     * How long H2 keeps a chunk that holds no live data before it may overwrite it (its RETENTION_TIME; H2's default
     * 45 s). Freed space is reusable only after it, so the file holds at least this much of the write rate as
     * garbage: at 500 alerts/s the engine writes about 10 MB/s (each commit rewrites the pages on its way to the
     * B-tree roots), and 45 s of that was 15 times the live data after a 10-minute soak. H2 keeps chunks that long
     * because it assumes the OS may hold written data in its buffers for that long (a power cut could then leave the
     * newest chunk pointing at an overwritten one); this class syncs the file every {@link #SYNC_EVERY}, well inside
     * it. A killed process loses nothing either way: its writes are in the OS already.
     */
    static final Duration RETENTION = Duration.ofSeconds(5);
    /** How often the file is synced (fsync) to the disk, so that nothing stays in OS buffers for the retention. */
    static final Duration SYNC_EVERY = Duration.ofSeconds(1);
    /**
     * At every step the engine also rewrites at most {@value #REWRITE_BYTES} bytes of live pages out of the sparsest
     * chunks (MVStore.compact, under H2's store lock taken only when it is free within 10 ms): a pause of a few ms for
     * the commits, and chunks that die so that their space is reused. MVStore.compactFile once a second instead (a
     * round of rewriting up to 16 MB, a sync and moving chunks, all under the store lock) made every commit wait for
     * it; bench/HISTORY.md has both measured.
     */
    static final int REWRITE_BYTES = 1 << 20;
    /** The fill rate below which a chunk's live pages are rewritten (H2's default auto-compact fill rate). */
    static final int TARGET_FILL_RATE = 90;

    private final MVStore store;
    private final Method step;
    private final ScheduledExecutorService timer;
    private final long syncEveryNanos = SYNC_EVERY.toNanos();
    private long lastSync = System.nanoTime();

    private H2Housekeeping(MVStore store, Method step, Duration every) {
        this.store = store;
        this.step = step;
        store.setRetentionTime((int) RETENTION.toMillis());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runbook-h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts housekeeping every {@code every} when {@code ds} is an embedded H2 file database without H2's own
     * background writer (WRITE_DELAY=0), opened through {@link H2StoreHeader}; empty otherwise (PostgreSQL, H2 over
     * TCP, in memory, a delay above 0, or a file URL without that prefix: then the engine warns).
     */
    public static Optional<H2Housekeeping> startIfNeeded(DataSource ds, Duration every) {
        if (every.isZero() || every.isNegative()) {
            return Optional.empty();
        }
        Optional<MVStore> store = embeddedStore(ds);
        if (store.isEmpty() || store.get().getFileStore() == null || store.get().getAutoCommitDelay() > 0) {
            return Optional.empty();
        }
        if (!store.get().getFileStore().getFileName().startsWith(H2StoreHeader.SCHEME + ":")) {
            LOG.warn("Embedded H2 with WRITE_DELAY=0 but without the {}: prefix: the engine does not compact its file"
                    + " (compaction makes H2 reuse space, where a killed process would lose its newest commits;"
                    + " see runbook.db.url)", H2StoreHeader.SCHEME);
            return Optional.empty();
        }
        return start(store.get(), every);
    }

    /** Starts housekeeping on an embedded H2 file database without checking its URL (tests: H2 without the fix). */
    static H2Housekeeping startUnchecked(DataSource ds, Duration every) {
        return start(embeddedStore(ds).orElseThrow(), every).orElseThrow();
    }

    private static Optional<H2Housekeeping> start(MVStore store, Duration every) {
        try {
            Method step = FileStore.class.getDeclaredMethod("writeInBackground");
            step.setAccessible(true);
            LOG.info("Embedded H2 with WRITE_DELAY=0: the engine compacts its file every {} ms"
                    + " (runbook.db.h2-housekeeping)", every.toMillis());
            return Optional.of(new H2Housekeeping(store, step, every));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("This H2 version has no FileStore.writeInBackground: the embedded database file is not compacted"
                    + " while the engine runs (it grows with every write)", e);
            return Optional.empty();
        }
    }

    /** The MVStore of an embedded H2 database, if {@code ds} is one. */
    static Optional<MVStore> embeddedStore(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            if (!c.isWrapperFor(JdbcConnection.class)
                    || !(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local)) {
                return Optional.empty();
            }
            return Optional.ofNullable(local.getDatabase().getStore()).map(s -> s.getMvStore());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the engine database", e);
        }
    }

    /** One housekeeping step; also what the timer runs. */
    void runOnce() {
        if (store.isClosed()) {
            timer.shutdown();
            return;
        }
        try {
            step.invoke(store.getFileStore());
            store.compact(TARGET_FILL_RATE, REWRITE_BYTES);
            if (System.nanoTime() - lastSync >= syncEveryNanos) {
                store.sync();
                lastSync = System.nanoTime();
            }
        } catch (InvocationTargetException e) {
            LOG.warn("H2 housekeeping failed", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("H2 housekeeping failed", e);
        }
    }

    /**
     * Stops the timer, letting a running step finish (never interrupted: an interrupt mid-write would close the file),
     * then compacts the file for at most {@code compactFor} (H2's own close compacts for 200 ms only, so the file
     * did not shrink on close; zero: none). Call it while the database is still open and idle.
     */
    public void close(Duration compactFor) {
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
            if (!store.isClosed() && !compactFor.isZero() && !compactFor.isNegative()) {
                store.compactFile((int) compactFor.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("H2 compaction at close failed", e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
