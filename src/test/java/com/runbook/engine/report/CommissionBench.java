package com.runbook.engine.report;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/**
 * bench/reports.sh: the weekly-commission-emails job over N payable rows (default 10,000) on the real route, with
 * the recording outbox: time and messages queued by a first run (must equal N) and by a second run (must be 0).
 */
public final class CommissionBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("reports-bench");
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        RecordingNotifier outbox = new RecordingNotifier();
        Map<String, String> props = new java.util.HashMap<>(TradingTestDb.properties(dir.resolve("data")));
        props.put("runbook.trading.demo", "false");
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), props, Map.of("notifier", outbox))) {
            DataSource trading = engine.context().getRegistry().lookupByNameAndType("trading", DataSource.class);
            try (Connection c = trading.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement f = c.prepareStatement("insert into followers (id, name, email, commission_rate) values (?, ?, ?, 0.1)");
                     PreparedStatement cm = c.prepareStatement("insert into commission_monthly (follower_id, year, month, commission_amount, is_payable, sent) values (?, 2026, 10, ?, true, false)")) {
                    for (int i = 1; i <= n; i++) {
                        f.setLong(1, i);
                        f.setString(2, "Follower " + i);
                        f.setString(3, "follower" + i + "@example.com");
                        f.addBatch();
                        cm.setLong(1, i);
                        cm.setBigDecimal(2, java.math.BigDecimal.valueOf(i, 2));
                        cm.addBatch();
                    }
                    f.executeBatch();
                    cm.executeBatch();
                }
                c.commit();
            }
            for (int run = 1; run <= 2; run++) {
                int before = outbox.messages().size();
                long t0 = System.nanoTime();
                long id = engine.runner().runNow("weekly-commission-emails", "bench", false);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("run %d: status %s, %d ms, %d messages queued, %d rows sent so far (of %d)%n", run,
                        engine.runs().find(id).orElseThrow().get("status"), ms, outbox.messages().size() - before,
                        count(trading, "select count(*) from commission_monthly where sent = true"), n);
            }
        }
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
