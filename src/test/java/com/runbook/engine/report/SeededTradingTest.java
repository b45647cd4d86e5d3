package com.runbook.engine.report;

import com.runbook.engine.core.Readiness;
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

import static org.assertj.core.api.Assertions.assertThat;

/** The demo trading data is seeded once the engine is ready, or at the first connection asked for before that. */
class SeededTradingTest {
    private HikariDataSource pool;
    private final List<Runnable> onReady = new ArrayList<>();
    private final Readiness readiness = (open, close) -> onReady.add(open);

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

    private SeededTrading seeding() {
        TradingCalendar calendar = new TradingCalendar(ZoneId.of("America/New_York"), LocalTime.of(16, 0), Set.of());
        return SeededTrading.seedOnceReady(pool, new DemoTradingData(pool, calendar, Clock.systemUTC(), 42), readiness);
    }

    private int trades(javax.sql.DataSource ds) {
        return new JdbcTemplate(ds).queryForObject("select count(*) from trades", Integer.class);
    }

    @Test
    void nothingIsSeededBeforeTheEngineIsReadyAndEveryConnectionAfterSeesItAll() {
        SeededTrading trading = seeding();
        assertThat(trades(pool)).as("the start writes nothing").isZero();
        assertThat(trading.awaitSeeded(0)).as("a stop before ready waits for nothing").isTrue();
        onReady.forEach(Runnable::run);
        int seen = trades(trading);
        assertThat(seen).as("a connection waits for the whole seed").isPositive().isEqualTo(trades(pool));
    }

    @Test
    void aConnectionAskedForBeforeReadySeedsAtOnce() {
        SeededTrading trading = seeding();
        assertThat(trades(trading)).isPositive();
        onReady.forEach(Runnable::run);   // ready later: the seed does not run twice
        assertThat(trading.awaitSeeded(10_000)).isTrue();
        assertThat(trades(trading)).isEqualTo(trades(pool));
    }
}
