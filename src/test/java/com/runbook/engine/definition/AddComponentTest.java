package com.runbook.engine.definition;

import com.runbook.engine.cli.RunbookCli;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Camel component is added without Java changes by putting its jar in lib/: the {@code runbook} script puts
 * {@code lib/*} on the class path, and Camel finds the component there. Without the jar the file is refused with
 * "component 'exec' is not installed in this engine". The component is a producer ({@code to: exec:...}): every
 * route in routes/ is a job reading from {@code direct:<its id>}.
 */
class AddComponentTest {
    private static final Path FIXTURE = Path.of("src/test/resources/lib-component");

    @Test
    void withoutTheJarTheComponentIsReportedAsNotInstalled() throws Exception {
        assertThat(RunbookCli.validate(FIXTURE)).map(Problem::toString).containsExactly(
                "routes/disk-usage.camel.yaml:7:16: route 'disk-usage', step 'to': component 'exec' is not installed in this"
                        + " engine: put camel-exec-<camel version>.jar and the jars it needs in lib/ (see README, \"Adding a Camel"
                        + " component\")");
    }

    @Test
    void withTheJarInLibTheFileIsValid() throws Exception {
        Path lib = Path.of("target/test-lib").toAbsolutePath();
        assertThat(lib.resolve("camel-exec-" + org.apache.camel.CamelContext.class.getPackage().getImplementationVersion()
                + ".jar")).exists();
        // the class path the runbook script builds: the engine's jars, then lib/*
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + lib + File.separator + "*";
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, RunbookCli.class.getName(), "validate", "-d", FIXTURE.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("OK: routes/ and schedules/ are valid");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void theRunbookScriptPutsLibOnTheClassPath() throws Exception {
        List<String> script = Files.readAllLines(Path.of("runbook"));
        assertThat(script).anyMatch(l -> l.contains("-cp \"$jar:${RUNBOOK_LIB:-lib}/*\""));
    }
}
