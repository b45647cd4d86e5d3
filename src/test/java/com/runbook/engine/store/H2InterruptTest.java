package com.runbook.engine.store;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded engine database as shipped survives threads interrupted during its file I/O (a shutdown, a cancelled
 * send): with H2's plain {@code file:} access one such interrupt closed the database for every connection.
 */
class H2InterruptTest {
    /** The default of {@code runbook.db.url} in application.properties, for a data folder. */
    static String shippedUrl(Path dataDir) throws Exception {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        Matcher m = Pattern.compile("(?m)^runbook\\.db\\.url=\\{\\{env:RUNBOOK_DB_URL:(.*)}}$").matcher(properties);
        assertThat(m.find()).as("runbook.db.url in application.properties").isTrue();
        return m.group(1).replace("{{runbook.data-dir}}", dataDir.toString());
    }

    @Test
    void aWriterInterruptedDuringItsCommitsLeavesTheDatabaseWhole(@TempDir Path dir) throws Exception {
        String url = shippedUrl(dir);
        assertThat(url).startsWith("jdbc:h2:rbheader:retry:");
        try (HikariDataSource ds = Database.open(url, "sa", "", 4)) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.execute("create table interrupted (id bigint auto_increment primary key, v varchar(100))");
            AtomicInteger committed = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread writer = new Thread(() -> {
                try (Connection c = ds.getConnection();
                     PreparedStatement insert = c.prepareStatement("insert into interrupted (v) values (?)")) {
                    while (committed.get() < 20_000 && failed.get() < 100) {   // a closed database fails every insert
                        Thread.interrupted();   // the interrupt is the test's: carry on writing
                        try {
                            insert.setString(1, "row " + committed.get());
                            insert.executeUpdate();
                            committed.incrementAndGet();
                        } catch (SQLException e) {
                            failed.incrementAndGet();
                        }
                    }
                } catch (SQLException e) {
                    failed.incrementAndGet();
                }
            }, "interrupted-writer");
            writer.start();
            // interrupt it 200 times, each after it committed a few more rows (so every interrupt lands mid-work)
            for (int i = 0; i < 200 && writer.isAlive(); i++) {
                int seen = committed.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > seen + 20 || !writer.isAlive());
                writer.interrupt();
            }
            writer.join(Duration.ofSeconds(60).toMillis());
            assertThat(failed.get()).as("inserts that failed").isZero();
            assertThat(jdbc.queryForObject("select count(*) from interrupted", Long.class)).isEqualTo(committed.get());
            jdbc.update("insert into interrupted (v) values ('after')");
            assertThat(jdbc.queryForObject("select count(*) from interrupted", Long.class)).isEqualTo(committed.get() + 1L);
        }
    }
}
