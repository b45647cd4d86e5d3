package com.runbook.engine.cli;

import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./runbook run} with a misspelled setting prints its one line and exits 2, with no stack trace. */
class RunCommandTest {
    private static final String MISSPELLED =
            "error: unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)\n";

    @TempDir
    Path dir;

    /** A folder with an empty routes/. */
    private Path home() throws Exception {
        Path base = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(base.resolve("routes"));
        return base;
    }

    /** Runs {@code run} with the engine's settings as system properties: a free port, and the misspelled ones. */
    private int withSettings(Map<String, String> misspelled, Callable<Integer> run) throws Exception {
        Map<String, String> props = new HashMap<>(misspelled);
        props.putAll(Map.of("camel.server.port", Integer.toString(TestEngine.freePort()), "camel.server.host",
                "127.0.0.1", "runbook.data-dir", dir.resolve("data").toString()));
        props.forEach(System::setProperty);
        try {
            return run.call();
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void aMisspelledSettingIsOneErrorLineAndExitStatusTwo() throws Exception {
        Path base = home();
        StringWriter err = new StringWriter();
        int status = withSettings(Map.of("runbook.notfy.email.to", "ops@example.com", "runbook.alert.jobs",
                "emergency-stop"), () -> {
            CommandLine cli = RunbookCli.commandLine(Map.of());
            cli.setErr(new PrintWriter(err));
            return cli.execute("run", "--dir", base.toString());
        });
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: setting runbook.alert.jobs is no longer read: the route alert-routing"
                + " in routes/ decides which runbook an alert starts\n" + MISSPELLED);
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void runWithNoOptionReadsRunbookHomeAndAnswersTheSame() throws Exception {
        Path base = home();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        int status = withSettings(Map.of("runbook.notfy.email.to", "ops@example.com"), () -> {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                return RunbookCli.runWithoutOptions(Map.of("RUNBOOK_HOME", base.toString()));
            } finally {
                System.setErr(before);
            }
        });
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(MISSPELLED);
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
