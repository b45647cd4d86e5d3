package com.runbook.engine.backup;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The real PostgreSQL the build starts (127.0.0.1:5432, user rb): throwaway databases for backup round trips. */
final class Pg {
    static final String SERVER = System.getenv().getOrDefault("RUNBOOK_TEST_PG_SERVER", "jdbc:postgresql://127.0.0.1:5432/");

    private Pg() {
    }

    static String url(String db) {
        return SERVER + db;
    }

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(url(db), "rb", "rb");
    }

    static String createDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = connect("rb"); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return name;
    }

    /** A throwaway database holding {@code trades} trades rows and 37 followers, for backup and restore round trips. */
    static String createTradingDatabase(String prefix, int trades) throws SQLException {
        String name = createDatabase(prefix);
        try (Connection c = connect(name); Statement s = c.createStatement()) {
            s.execute("create table trades (id bigint primary key, symbol varchar(10), qty int)");
            s.execute("insert into trades select g, 'SYM' || (g % 50), g % 100 from generate_series(1, " + trades + ") g");
            s.execute("create table followers (id int primary key, name text)");
            s.execute("insert into followers select g, 'f' || g from generate_series(1, 37) g");
        }
        return name;
    }

    static void dropDatabase(String name) throws SQLException {
        try (Connection c = connect("rb"); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }

    static long count(String db, String table) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
