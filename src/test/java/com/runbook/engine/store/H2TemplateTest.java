package com.runbook.engine.store;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class H2TemplateTest {
    private static final String ENGINE = "classpath:db/migration";
    private static final String TRADING = "classpath:db/trading";
    private static final String TRADING_SETTINGS = ";NON_KEYWORDS=YEAR,MONTH";

    @TempDir
    Path dir;

    @Test
    void aNewLocalFileWithTheDefaultUserIsMadeFromTheTemplate() {
        String base = dir.resolve("runbook").toString();
        assertThat(H2Template.newFile("jdbc:h2:rbheader:retry:" + base + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;CACHE_SIZE=4096",
                "sa", "")).contains(Path.of(base + ".mv.db"));
        assertThat(H2Template.newFile("jdbc:h2:file:" + base, "SA", null)).contains(Path.of(base + ".mv.db"));
        assertThat(H2Template.newFile("jdbc:h2:./data/runbook", "sa", "")).contains(Path.of("./data/runbook.mv.db"));
    }

    @Test
    void anythingTheTemplateCannotStandForIsLeftToFlyway() throws Exception {
        String base = dir.resolve("runbook").toString();
        assertThat(H2Template.newFile("jdbc:h2:mem:runbook", "sa", "")).as("in memory").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:tcp://localhost/" + base, "sa", "")).as("a server").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:~/runbook", "sa", "")).as("home-relative").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:runbook", "sa", "")).as("implicitly relative: H2 refuses it").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:" + base + ";MODE=PostgreSQL", "sa", "")).as("a schema setting").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:" + base, "app", "")).as("another administrator").isEmpty();
        assertThat(H2Template.newFile("jdbc:h2:" + base, "sa", "secret")).as("a password").isEmpty();
        assertThat(H2Template.newFile("jdbc:postgresql://localhost/runbook", "sa", "")).isEmpty();
        Files.writeString(Path.of(base + ".mv.db"), "existing");
        assertThat(H2Template.newFile("jdbc:h2:" + base, "sa", "")).as("a file that exists").isEmpty();
        assertThat(H2Template.createIfNew("jdbc:h2:" + base, "sa", "", ENGINE)).isFalse();
        assertThat(Files.readString(Path.of(base + ".mv.db"))).as("never overwritten").isEqualTo("existing");
    }

    @Test
    void theCopyHasTheSchemaAndHistoryFlywayWouldHaveWritten() {
        for (String[] db : List.of(new String[] {ENGINE, "flyway_schema_history", ""},
                new String[] {TRADING, "flyway_trading_history", TRADING_SETTINGS})) {
            String name = db[0].substring(db[0].lastIndexOf('/') + 1);
            String copied = "jdbc:h2:" + dir.resolve(name + "-copied") + db[2];
            String migrated = "jdbc:h2:" + dir.resolve(name + "-migrated") + db[2];
            assertThat(H2Template.createIfNew(copied, "sa", "", db[0])).as(name).isTrue();
            assertThat(H2Template.createIfNew(copied, "sa", "", db[0])).as("only once").isFalse();
            DataSource copy = h2(copied);
            assertThat(MigrationIndex.upToDate(copy, db[0], db[1])).as("current: Flyway is not loaded").isTrue();
            DataSource flyway = h2(migrated);
            Database.migrate(flyway, db[0], db[1]);
            assertThat(schema(copy)).as(name).isEqualTo(schema(flyway)).anyMatch(l -> l.startsWith("CREATE"));
            String history = "select \"version\", \"description\", \"checksum\", \"success\" from \"" + db[1]
                    + "\" order by \"installed_rank\"";
            assertThat(new JdbcTemplate(copy).queryForList(history)).hasSizeGreaterThan(1)
                    .isEqualTo(new JdbcTemplate(flyway).queryForList(history));
        }
    }

    private static DataSource h2(String url) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        ds.setPassword("");
        return ds;
    }

    /**
     * H2's own script of the schema, without data (the history's rows are compared on their own) and without the
     * administrator's line (the same user and password, with a salt of its own).
     */
    private static List<String> schema(DataSource ds) {
        return new JdbcTemplate(ds).queryForList("SCRIPT NODATA", String.class).stream()
                .filter(line -> !line.startsWith("CREATE USER IF NOT EXISTS \"SA\" SALT ")).toList();
    }
}
