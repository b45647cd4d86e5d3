package com.runbook.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A setting a module refuses stops the start with its one-line message (which names the environment variable),
 * as {@link Engine.CannotStart}: {@code runbook run} prints it and exits 1. What had started is released.
 */
@Tag("db")
class EngineRefusalTest {
    @TempDir
    Path dir;

    @Test
    void aSettingAModuleRefusesIsOneLineAndReleasesEverything() throws Exception {
        assertThatThrownBy(() -> TestEngine.start(dir, dir.resolve("data"), Map.of("runbook.backup.store", "s3")))
                .isInstanceOf(Engine.CannotStart.class)
                .hasMessage("runbook.backup.store=s3 needs runbook.backup.s3.bucket (env BACKUP_S3_BUCKET)");
        try (Engine engine = TestEngine.start(dir, dir.resolve("data"), Map.of())) {
            assertThat(engine.isReady()).isTrue();
        }
    }

    @Test
    void anEngineDatabaseThatCannotBeReachedIsOneLine() throws Exception {
        int closed = TestEngine.freePort();
        assertThatThrownBy(() -> TestEngine.start(dir, dir.resolve("data"), Map.of("runbook.db.url",
                "jdbc:postgresql://127.0.0.1:" + closed + "/rb", "runbook.db.user", "rb", "runbook.db.password", "rb")))
                .isInstanceOf(Engine.CannotStart.class)
                .hasMessageStartingWith("cannot open the engine database (runbook.db.url (env RUNBOOK_DB_URL)): ")
                .hasMessageContaining("refused");
        try (Engine engine = TestEngine.start(dir, dir.resolve("data"), Map.of())) {
            assertThat(engine.isReady()).isTrue();
        }
    }

}
