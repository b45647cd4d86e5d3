package com.runbook.engine.backup;

import com.runbook.engine.store.Database;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batched purge on the trading schema (db/trading migrations), on H2 and on the real PostgreSQL. */
class MarketDataPurgeTest {
    static final Instant NOW = Instant.parse("2026-11-22T02:00:00Z");
    static final List<String> CREATED = new ArrayList<>();

    @AfterAll
    static void dropDatabases() throws Exception {
        for (String db : CREATED) {
            Pg.dropDatabase(db);
        }
    }

    private static DataSource database(String kind) throws Exception {
        if (kind.equals("h2")) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:mem:purge-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;NON_KEYWORDS=YEAR,MONTH");
            ds.setUser("sa");
            return migrated(ds);
        }
        String db = Pg.createDatabase("purge");
        CREATED.add(db);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(Pg.url(db));
        ds.setUser("rb");
        ds.setPassword("rb");
        return migrated(ds);
    }

    private static DataSource migrated(DataSource ds) {
        Database.migrate(ds, "classpath:db/trading", "flyway_trading_history");
        return ds;
    }

    private static void insertBars(DataSource ds, Instant at, int n) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into market_bars (symbol, bar_time, open_price, high_price, low_price, close_price, volume) values (?, ?, 1, 2, 0.5, 1.5, 100)")) {
            for (int i = 0; i < n; i++) {
                ps.setString(1, "S" + (i % 7));
                ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<Instant> remaining(DataSource ds) throws Exception {
        List<Instant> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select distinct bar_time from market_bars order by bar_time")) {
            while (rs.next()) {
                out.add(rs.getObject(1, OffsetDateTime.class).toInstant());
            }
        }
        return out;
    }

    private static MarketDataPurge purge(DataSource ds, int batch) {
        return new MarketDataPurge(() -> ds, "market_bars", "bar_time", "id", Duration.ofDays(30), batch, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void deletesExactlyTheRowsOlderThan30DaysInBoundedBatches(String kind) throws Exception {
        DataSource ds = database(kind);
        Instant cutoff = NOW.minus(Duration.ofDays(30));
        insertBars(ds, cutoff.minusSeconds(1), 1);          // 30 days + 1 s old: purged
        insertBars(ds, cutoff.plusSeconds(1), 1);           // 30 days - 1 s old: kept
        insertBars(ds, cutoff.minus(Duration.ofDays(5)), 1049);
        insertBars(ds, NOW.minus(Duration.ofDays(1)), 3);

        MarketDataPurge.Result r = purge(ds, 250).purge();

        assertThat(r.rows()).isEqualTo(1050);
        assertThat(r.cutoff()).isEqualTo(cutoff);
        assertThat(r.maxBatch()).isEqualTo(250);
        assertThat(r.batches()).isEqualTo(5);   // 250 x 4 + 50
        assertThat(remaining(ds)).containsExactly(cutoff.plusSeconds(1), NOW.minus(Duration.ofDays(1)));
        assertThat(r.describe()).isEqualTo("1050 rows of market_bars older than 2026-10-23T02:00:00Z purged in 5 batches (largest 250)");

        MarketDataPurge.Result again = purge(ds, 250).purge();
        assertThat(again.rows()).isZero();
        assertThat(again.batches()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; drop table trades", "market bars"})
    void refusesATableNameThatIsNotAnIdentifier(String table) {
        assertThatThrownBy(() -> new MarketDataPurge(() -> null, table, "bar_time", "id", Duration.ofDays(30), 10, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid purge table '" + table + "'");
    }
}
