package com.runbook.engine.cli;

import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./runbook run} with a misspelled setting prints its one line and exits 2, with no stack trace. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void aMisspelledSettingIsOneErrorLineAndExitStatusTwo() throws Exception {
        Path base = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(base.resolve("routes"));
        Map<String, String> props = Map.of("camel.server.port", Integer.toString(TestEngine.freePort()),
                "camel.server.host", "127.0.0.1", "runbook.data-dir", dir.resolve("data").toString(),
                "runbook.notfy.email.to", "ops@example.com", "runbook.alert.jobs", "emergency-stop");
        StringWriter err = new StringWriter();
        props.forEach(System::setProperty);
        int status;
        try {
            CommandLine cli = RunbookCli.commandLine(Map.of());
            cli.setErr(new PrintWriter(err));
            status = cli.execute("run", "--dir", base.toString());
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: setting runbook.alert.jobs is no longer read: the route alert-routing"
                + " in routes/ decides which runbook an alert starts\n"
                + "error: unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void runWithNoOptionReadsRunbookHomeAndAnswersTheSame() throws Exception {
        Path base = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(base.resolve("routes"));
        Map<String, String> props = Map.of("camel.server.port", Integer.toString(TestEngine.freePort()),
                "camel.server.host", "127.0.0.1", "runbook.data-dir", dir.resolve("data").toString(),
                "runbook.notfy.email.to", "ops@example.com");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        props.forEach(System::setProperty);
        int status;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            status = RunbookCli.runWithoutOptions(Map.of("RUNBOOK_HOME", base.toString()));
        } finally {
            System.setErr(before);
            props.keySet().forEach(System::clearProperty);
        }
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("error: unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
