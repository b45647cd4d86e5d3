package com.runbook.engine.backup;

import com.runbook.engine.core.DryRun;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Deletes the rows of a table whose time column is older than a cutoff, in batches of at most {@code batchSize}
 * rows chosen by key, each batch its own short transaction: no table-wide lock, and a purge interrupted half way
 * keeps what it committed. The cutoff is fixed once at the start, so rows that age during the purge stay.
 * In a dry run it only counts the rows it would delete and plans the delete.
 */
class MarketDataPurge {
    /**
     * What a purge did: rows deleted, delete statements run, the largest batch, the cutoff used, and the longest
     * single delete (how long one batch held its row locks).
     */
    public record Result(String table, Instant cutoff, long rows, int batches, int maxBatch, long longestBatchMs,
                         boolean planned) {
        public String describe() {
            return planned ? rows + " rows of " + table + " older than " + cutoff + " would be purged in " + batches
                    + " batches (dry run)"
                    : rows + " rows of " + table + " older than " + cutoff + " purged in " + batches + " batches (largest " + maxBatch + ")";
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

    /** The rows a purge now would delete: how many of {@code table} are older than the cutoff. */
    String countSql() {
        return "select count(*) from " + table + " where " + timeColumn + " < ?";
    }

    public Result purge() throws SQLException {
        Instant cutoff = clock.instant().minus(olderThan);
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            return rehearse(plan.get(), cutoff);
        }
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
        return new Result(table, cutoff, rows, batches, max, longest, false);
    }

    /** Counts the rows (a read) and plans their delete; the batches are those a purge would run (the last one short). */
    private Result rehearse(DryRun plan, Instant cutoff) throws SQLException {
        long rows;
        try (Connection c = dataSource.get().getConnection(); PreparedStatement ps = c.prepareStatement(countSql())) {
            ps.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        int batches = (int) (rows / batchSize + 1);
        plan.wouldDo("sql", "DELETE " + rows + " rows of " + table + " where " + timeColumn + " < " + cutoff
                + " (purge, " + batches + " batches of at most " + batchSize + ")");
        return new Result(table, cutoff, rows, batches, (int) Math.min(rows, batchSize), 0, true);
    }
}
