package com.runbook.engine.backup;

import com.runbook.engine.store.Database;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

/**
 * bench/maintenance.sh: the Sunday maintenance purge on the real PostgreSQL: N market bars (default 1,000,000), 90%
 * older than 30 days, purged with each batch size given; prints rows/s and the longest single delete.
 */
public final class PurgeBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String[] batches = args.length > 1 ? args[1].split(",") : new String[] {"1000", "5000", "20000"};
        for (String b : batches) {
            String db = Pg.createDatabase("purge_bench");
            try {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setURL(Pg.url(db));
                ds.setUser("rb");
                ds.setPassword("rb");
                Database.migrate(ds, "classpath:db/trading", "flyway_trading_history");
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume)"
                            + " select 'S' || (g % 500), now() - (g % 10 + 1) * interval '1 day' - case when g % 10 < 9 then interval '30 days' else interval '0 days' end,"
                            + " 1, 2, 0.5, 1.5, g from generate_series(1, " + n + ") g");
                    s.execute("analyze market_bars");
                }
                MarketDataPurge purge = new MarketDataPurge(() -> ds, "market_bars", "bar_time", "id", Duration.ofDays(30),
                        Integer.parseInt(b), Clock.systemUTC());
                long t0 = System.nanoTime();
                MarketDataPurge.Result r = purge.purge();
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("purge batch %s: %d of %d rows in %.1f s (%,.0f rows/s), %d deletes, longest delete %d ms%n",
                        b, r.rows(), n, sec, r.rows() / sec, r.batches(), r.longestBatchMs());
            } finally {
                Pg.dropDatabase(db);
            }
        }
    }
}
