package com.runbook.engine.access;

import com.runbook.engine.ShippedSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AccessSettingsTest {
    @Test
    void theShippedDefaultGeneratesTheKeyIntoTheDataFolder() {
        assertThat(AccessSettings.from(ShippedSettings.with(Map.of())).tokenKey()).isEmpty();
    }

    @Test
    void anEngineWithAShortKeyDoesNotStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path base = dir.resolve("base");
        java.nio.file.Files.createDirectories(base.resolve("routes"));
        java.nio.file.Files.createDirectories(base.resolve("schedules"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> com.runbook.engine.TestEngine.start(base,
                        dir.resolve("data"), Map.of("runbook.api.token-key", "too-short")).close())
                .isInstanceOf(com.runbook.engine.Engine.CannotStart.class)
                .hasMessage("runbook.api.token-key (env RUNBOOK_API_TOKEN_KEY) must be at least 32 characters (e.g. the"
                        + " output of: openssl rand -hex 32)");
    }

    @Test
    void aConfiguredKey() {
        assertThat(AccessSettings.from(ShippedSettings.with(Map.of("runbook.api.token-key", "k".repeat(40))))
                .tokenKey()).isEqualTo(Optional.of("k".repeat(40)));
    }
}
