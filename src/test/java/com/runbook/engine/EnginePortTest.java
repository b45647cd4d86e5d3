package com.runbook.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnginePortTest {
    @TempDir
    Path dir;

    @Test
    void refusesToStartOnAPortAnotherProcessHolds() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> TestEngine.start(dir, dir.resolve("data"), Map.of("camel.server.port", Integer.toString(port))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port
                            + " (camel.server.host/port, env RUNBOOK_HOST/RUNBOOK_PORT): the port is in use or not allowed");
        }
        // the refused start released everything: an engine starts on the same folders right after
        try (Engine engine = TestEngine.start(dir, dir.resolve("data"), Map.of())) {
            assertThat(engine.isReady()).isTrue();
        }
    }
}
