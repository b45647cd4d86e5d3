package com.runbook.engine.backup;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/**
 * Deletes the rows of a table whose time column is older than a cutoff, in batches of at most {@code batchSize}
 * rows chosen by key, each batch its own short transaction: no table-wide lock, and a purge interrupted half way
 * keeps what it committed. The cutoff is fixed once at the start, so rows that age during the purge stay.
 */
class MarketDataPurge {
    /**
     * What a purge did: rows deleted, delete statements run, the largest batch, the cutoff used, and the longest
     * single delete (how long one batch held its row locks).
     */
    public record Result(String table, Instant cutoff, long rows, int batches, int maxBatch, long longestBatchMs) {
        public String describe() {
            return rows + " rows of " + table + " older than " + cutoff + " purged in " + batches + " batches (largest " + maxBatch + ")";
        }
    }

    private final Supplier<DataSource> dataSource;
    private final String table;
    private final String timeColumn;
    private final String keyColumn;
    private final Duration olderThan;
    private final int batchSize;
    private final Clock clock;

    public MarketDataPurge(Supplier<DataSource> dataSource, String table, String timeColumn, String keyColumn,
                           Duration olderThan, int batchSize, Clock clock) {
        this.dataSource = dataSource;
        this.table = TableExportSource.requireIdentifier(table, "purge table");
        this.timeColumn = TableExportSource.requireIdentifier(timeColumn, "purge time column");
        this.keyColumn = TableExportSource.requireIdentifier(keyColumn, "purge key column");
        if (batchSize < 1) {
            throw new IllegalArgumentException("purge batch size must be at least 1, was " + batchSize);
        }
        this.olderThan = olderThan;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    /** The one statement each batch runs: portable (H2 2.x and PostgreSQL), bounded by the sub-select. */
    String deleteSql() {
        return "delete from " + table + " where " + keyColumn + " in (select " + keyColumn + " from " + table
                + " where " + timeColumn + " < ? order by " + keyColumn + " fetch first " + batchSize + " rows only)";
    }

    public Result purge() throws SQLException {
        Instant cutoff = clock.instant().minus(olderThan);
        long rows = 0;
        int batches = 0;
        int max = 0;
        long longest = 0;
        try (Connection c = dataSource.get().getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(deleteSql())) {
                ps.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                int n;
                do {
                    long t0 = System.nanoTime();
                    n = ps.executeUpdate();
                    longest = Math.max(longest, (System.nanoTime() - t0) / 1_000_000);
                    batches++;
                    rows += n;
                    max = Math.max(max, n);
                } while (n == batchSize);
            }
        }
        return new Result(table, cutoff, rows, batches, max, longest);
    }
}
