package com.runbook.engine.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Creates connection pools and applies Flyway migrations (the engine's own, {@code db/migration}, and others'), and
 * holds the two small helpers the features share: which database this is, and work to run after a commit.
 */
public final class Database {
    static {
        // the default URL's jdbc:h2:rbheader: prefix: known to H2 before any pool opens a connection
        H2StoreHeader.register();
    }

    private static final String MIGRATIONS = "classpath:db/migration";
    private static final String HISTORY = "flyway_schema_history";

    private Database() {
    }

    /** The engine database: a pool named {@code runbook}, migrated from {@code db/migration}. */
    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        return open("runbook", url, user, password, poolSize, MIGRATIONS, HISTORY);
    }

    /**
     * A pool named {@code name}, migrated from {@code location}. A new embedded H2 file starts as a copy of the
     * location's template, migrated at build time ({@link H2Template}); Flyway then applies only what is newer.
     */
    public static HikariDataSource open(String name, String url, String user, String password, int poolSize,
                                        String location, String historyTable) {
        H2Template.createIfNew(url, user, password, location);
        HikariDataSource ds = pool(name, url, user, password, poolSize);
        migrate(ds, location, historyTable);
        return ds;
    }

    public static HikariDataSource pool(String name, String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    /**
     * Applies the migrations at {@code location}, keeping their history in {@code historyTable}. Placeholder
     * {@code identity_cache}: 1000 on H2, 1 elsewhere (see V8__identity_cache.sql). When the history already holds
     * every migration there, applied successfully, Flyway is not loaded at all (its classes, scan and checksum
     * validation were a tenth of a start on an existing folder); it still runs for anything else.
     */
    public static void migrate(DataSource ds, String location, String historyTable) {
        if (MigrationIndex.upToDate(ds, location, historyTable)) {
            return;
        }
        Flyway.configure().dataSource(ds).locations(location).table(historyTable)
                .placeholders(Map.of("identity_cache", isH2(ds) ? "1000" : "1")).load().migrate();
    }

    /** Applies the engine's own migrations. */
    public static void migrate(DataSource ds) {
        migrate(ds, MIGRATIONS, HISTORY);
    }

    public static boolean isH2(DataSource ds) {
        return productName(ds).equals("H2");
    }

    public static boolean isPostgres(DataSource ds) {
        return productName(ds).toLowerCase().contains("postgres");
    }

    private static String productName(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database's product name", e);
        }
    }

    /** Runs {@code r} once the surrounding Spring transaction commits, or at once outside a transaction. */
    public static void afterCommit(Runnable r) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    r.run();
                }
            });
        } else {
            r.run();
        }
    }
}
