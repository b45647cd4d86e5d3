package com.runbook.engine.settings;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real engine start with a misspelled setting stops with the one line that names the nearest key. */
class UnknownSettingStartTest {
    @TempDir
    Path dir;

    @Test
    void aMisspelledSettingStopsTheStartWithOneLine() throws Exception {
        Path base = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(base.resolve("routes"));
        int port = TestEngine.freePort();
        assertThatThrownBy(() -> {
            try (Engine ignored = TestEngine.start(base, dir.resolve("data"), Map.of(
                    "camel.server.port", Integer.toString(port), "runbook.notfy.email.to", "ops@example.com"))) {
                // not reached
            }
        }).isInstanceOf(UnknownSettingException.class)
                .hasMessage("unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)");
        // nothing is left running: the port is free again and no database was opened
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
