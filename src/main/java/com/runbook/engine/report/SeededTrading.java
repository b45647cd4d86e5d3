package com.runbook.engine.report;

import com.runbook.engine.core.Readiness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The trading database while its demo data is seeded once the engine is ready: seeding an empty database writes
 * about 11,000 rows, a fifth of a fresh start's time (JFR, bench/HISTORY.md), and nothing reads them before a report
 * job runs. Every connection handed out waits until the seed committed (or failed), so a report, a backup or a test
 * never sees a half-seeded database; a connection asked for before the engine is ready starts the seed at once.
 * The seed itself writes through the pool directly. The rest of {@link DataSource} goes to the pool (Spring's
 * {@link DelegatingDataSource}).
 */
final class SeededTrading extends DelegatingDataSource {
    private static final Logger LOG = LoggerFactory.getLogger(SeededTrading.class);
    private final CompletableFuture<Void> seeded = new CompletableFuture<>();
    private final Thread seeder;
    private final AtomicBoolean begun = new AtomicBoolean();

    private SeededTrading(DataSource pool, DemoTradingData demo) {
        super(pool);
        this.seeder = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                int rows = demo.seedIfEmpty();
                if (rows > 0) {
                    LOG.info("Seeded the demo trading database with {} rows in {} ms", rows,
                            (System.nanoTime() - t0) / 1_000_000);
                }
            } catch (SQLException | RuntimeException e) {
                LOG.error("Could not seed the demo trading database (runbook.trading.demo): the report jobs see what"
                        + " it holds", e);
            } finally {
                seeded.complete(null);
            }
        }, "runbook-demo-seed");
        seeder.setDaemon(true);
    }

    /**
     * Seeds on a thread of its own once the engine is ready (its CPU then leaves the start: two cores share it), or
     * at the first connection asked for, whichever comes first; the answer hands out connections once the seed is over.
     */
    static SeededTrading seedOnceReady(DataSource pool, DemoTradingData demo, Readiness readiness) {
        SeededTrading trading = new SeededTrading(pool, demo);
        readiness.whileReady(trading::begin, () -> { });
        return trading;
    }

    /** Starts the seed unless it started already. */
    void begin() {
        if (begun.compareAndSet(false, true)) {
            seeder.start();
        }
    }

    /** Waits for the seed to end, at most {@code millis}; true when it did. */
    boolean awaitSeeded(long millis) {
        if (!begun.get()) {
            return true;   // never begun (the engine stopped before it was ready): nothing to wait for
        }
        try {
            seeded.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    private DataSource ready() throws SQLException {
        begin();
        try {
            seeded.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the demo trading data was seeded", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // never completed exceptionally: the seed's failure is logged and the database handed out as it is
        }
        return obtainTargetDataSource();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return ready().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return ready().getConnection(username, password);
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : ready().unwrap(type);
    }
}
