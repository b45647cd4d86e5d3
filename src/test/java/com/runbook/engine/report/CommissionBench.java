package com.runbook.engine.report;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * bench/reports.sh: the weekly-commission-emails job over N payable rows (default 10,000) on the real route and the
 * real outbox delivering to GreenMail (SMTP on loopback): the job's time (render, queue, mark), the time until every
 * email is delivered, and what a second run queues (must be 0).
 */
public final class CommissionBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("reports-bench");
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        GreenMail smtp = new GreenMail(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Map<String, String> props = new HashMap<>(TradingTestDb.properties(dir.resolve("data")));
        props.put("runbook.trading.demo", "false");
        props.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + smtp.getSmtp().getPort());
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), props)) {
            DataSource trading = engine.context().getRegistry().lookupByNameAndType("trading", DataSource.class);
            seed(trading, n);
            long t0 = System.nanoTime();
            for (int run = 1; run <= 2; run++) {
                long queuedBefore = count(engine.dataSource(), "select count(*) from notification");
                long r0 = System.nanoTime();
                long id = engine.runner().runNow("weekly-commission-emails", "bench", false);
                long ms = (System.nanoTime() - r0) / 1_000_000;
                System.out.printf("run %d: status %s, %d ms, %d emails queued, %d rows sent so far (of %d)%n", run,
                        engine.runs().find(id).orElseThrow().json().get("status"), ms,
                        count(engine.dataSource(), "select count(*) from notification") - queuedBefore,
                        count(trading, "select count(*) from commission_monthly where sent = true"), n);
                if (run == 1) {
                    boolean all = smtp.waitForIncomingEmail(600_000, n);
                    System.out.printf("delivered: %d emails in GreenMail %d ms after the run started (all: %s)%n",
                            smtp.getReceivedMessages().length, (System.nanoTime() - t0) / 1_000_000, all);
                }
            }
        } finally {
            smtp.stop();
        }
    }

    private static void seed(DataSource trading, int n) throws Exception {
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
                    cm.setBigDecimal(2, BigDecimal.valueOf(i, 2));
                    cm.addBatch();
                }
                f.executeBatch();
                cm.executeBatch();
            }
            c.commit();
        }
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
