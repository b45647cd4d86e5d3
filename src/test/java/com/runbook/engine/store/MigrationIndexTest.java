package com.runbook.engine.store;

import com.runbook.engine.TestEngine;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("db")
class MigrationIndexTest {
    private static final String ENGINE = "classpath:db/migration";
    private static final String HISTORY = "flyway_schema_history";

    @Test
    void theShippedMigrationsAreListedByVersion() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            assertThat(MigrationIndex.versions(ENGINE)).hasSize((int) files.count()).contains("1", "22");
        }
        assertThat(MigrationIndex.versions("classpath:db/nothing-here")).isEmpty();
        assertThat(MigrationIndex.versions("filesystem:/tmp")).as("only classpath locations are listed").isEmpty();
    }

    @Test
    void versionsCompareAsFlywayReadsThem() {
        assertThat(MigrationIndex.normal("1_1")).isEqualTo("1.1");
        assertThat(MigrationIndex.normal("007.010")).isEqualTo("7.10");
        assertThat(MigrationIndex.normal("22")).isEqualTo("22");
    }

    @Test
    void onlyADatabaseWithEveryMigrationAppliedSuccessfullySkipsFlyway() throws Exception {
        try (HikariDataSource fresh = Database.pool("t", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2)) {
            assertThat(MigrationIndex.upToDate(fresh, ENGINE, HISTORY)).as("a new database: no history table").isFalse();
        }
        try (HikariDataSource ds = TestEngine.database()) {   // migrated: H2, or PostgreSQL in the db pass
            assertThat(MigrationIndex.upToDate(ds, ENGINE, HISTORY)).isTrue();
            JdbcTemplate db = new JdbcTemplate(ds);
            db.update("update \"" + HISTORY + "\" set \"success\" = false where \"version\" = '22'");
            assertThat(MigrationIndex.upToDate(ds, ENGINE, HISTORY)).as("a failed migration").isFalse();
            db.update("delete from \"" + HISTORY + "\" where \"version\" = '22'");
            assertThat(MigrationIndex.upToDate(ds, ENGINE, HISTORY)).as("the newest not applied").isFalse();
            assertThat(MigrationIndex.upToDate(ds, ENGINE, "no_such_table")).isFalse();
            assertThat(MigrationIndex.upToDate(ds, ENGINE, "x; drop table job_run")).isFalse();
        }
    }
}
