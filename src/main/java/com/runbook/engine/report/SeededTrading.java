package com.runbook.engine.report;

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
 * The trading database whose demo data is seeded at the first connection asked for: seeding an empty database writes
 * about 10,000 rows (0.3-0.7 s of CPU and some 40 MiB of heap, bench/HISTORY.md), and nothing reads them before a
 * report job, a backup or the console asks for the trading database, so an engine that never reports never pays.
 * Every connection handed out waits until the seed committed (or failed), so nobody sees a half-seeded database. The
 * seed itself writes through the pool directly. The rest of {@link DataSource} goes to the pool (Spring's
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

    /** Seeds {@code pool} (when empty) at the first connection asked for; connections are handed out after the seed. */
    static SeededTrading seedAtFirstUse(DataSource pool, DemoTradingData demo) {
        return new SeededTrading(pool, demo);
    }

    /** Starts the seed unless it started already. */
    private void begin() {
        if (begun.compareAndSet(false, true)) {
            seeder.start();
        }
    }

    /** Waits for the seed to end, at most {@code millis}; true when it did. */
    boolean awaitSeeded(long millis) {
        if (!begun.get()) {
            return true;   // never begun (nothing asked for the trading database): nothing to wait for
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
