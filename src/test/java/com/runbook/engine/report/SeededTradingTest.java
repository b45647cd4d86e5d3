package com.runbook.engine.report;

import com.runbook.engine.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo trading data is seeded at the first connection asked for, and only once. */
class SeededTradingTest {
    private HikariDataSource pool;

    @BeforeEach
    void open() {
        pool = Database.pool("trading", "jdbc:h2:mem:" + UUID.randomUUID() + ";NON_KEYWORDS=YEAR,MONTH;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        Database.migrate(pool, "classpath:db/trading", "flyway_trading_history");
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private DemoTradingData demo() {
        TradingCalendar calendar = new TradingCalendar(ZoneId.of("America/New_York"), LocalTime.of(16, 0), Set.of());
        return new DemoTradingData(pool, calendar, Clock.systemUTC(), 42);
    }

    private SeededTrading seeding() {
        return SeededTrading.seedAtFirstUse(pool, demo());
    }

    private int trades(javax.sql.DataSource ds) {
        return new JdbcTemplate(ds).queryForObject("select count(*) from trades", Integer.class);
    }

    @Test
    void nothingIsSeededUntilAConnectionIsAskedForWhichSeesItAll() {
        SeededTrading trading = seeding();
        assertThat(trades(pool)).as("the start writes nothing").isZero();
        assertThat(trading.awaitSeeded(0)).as("a stop before any use waits for nothing").isTrue();
        int seen = trades(trading);
        assertThat(seen).as("the first connection waits for the whole seed").isPositive().isEqualTo(trades(pool));
        assertThat(trading.awaitSeeded(0)).isTrue();
    }

    @Test
    void connectionsAskedForTogetherSeedOnce() throws Exception {
        SeededTrading trading = seeding();
        ExecutorService others = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> counts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                counts.add(others.submit(() -> trades(trading)));
            }
            for (var count : counts) {
                assertThat(count.get(30, TimeUnit.SECONDS)).isEqualTo(trades(pool)).isPositive();
            }
        } finally {
            others.shutdownNow();
        }
        int once = trades(pool);
        demo().seedIfEmpty();
        assertThat(trades(pool)).as("a seeded database is not seeded again").isEqualTo(once);
    }
}
