package com.runbook.engine.report;

import com.runbook.engine.TestEngine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The trading database settings for a test: an H2 file in the data folder, or a fresh PostgreSQL schema. */
final class TradingTestDb {
    private TradingTestDb() {
    }

    static Map<String, String> properties(Path dataDir) throws Exception {
        Map<String, String> props = new HashMap<>();
        if (TestEngine.onPostgres()) {
            String pg = System.getProperty("runbook.test.postgres", System.getenv().getOrDefault("RUNBOOK_TEST_POSTGRES", ""));
            String schema = "trading_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(pg, "rb", "rb"); Statement s = c.createStatement()) {
                s.execute("create schema " + schema);
            }
            props.put("runbook.trading.db.url", pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema);
            props.put("runbook.trading.db.user", "rb");
            props.put("runbook.trading.db.password", "rb");
        } else {
            props.put("runbook.trading.db.url", "jdbc:h2:file:" + dataDir.resolve("trading") + ";NON_KEYWORDS=YEAR,MONTH;DB_CLOSE_ON_EXIT=FALSE");
        }
        return props;
    }
}
