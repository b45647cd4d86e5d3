package com.runbook.engine.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** Creates connection pools and applies Flyway migrations: the engine's own ({@code db/migration}) and others'. */
public final class Database {
    private Database() {
    }

    /** The engine database: a pool named {@code runbook}, migrated from {@code db/migration}. */
    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        HikariDataSource ds = pool("runbook", url, user, password, poolSize);
        migrate(ds);
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

    public static void migrate(DataSource ds) {
        migrate(ds, "classpath:db/migration", "flyway_schema_history");
    }

    /**
     * Applies the migrations at {@code location}, keeping their history in {@code historyTable}. Placeholder
     * {@code identity_cache}: 1000 on H2, 1 elsewhere (see V8__identity_cache.sql).
     */
    public static void migrate(DataSource ds, String location, String historyTable) {
        Flyway.configure().dataSource(ds).locations(location).table(historyTable)
                .placeholders(Map.of("identity_cache", isH2(ds) ? "1000" : "1")).load().migrate();
    }

    private static boolean isH2(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductName().equals("H2");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database's product name", e);
        }
    }
}
