package com.runbook.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code runbook} script says so before it builds the engine (the first build takes about a minute and prints
 * nothing of its own with {@code -q}), and builds nothing when the jar is up to date. The real script runs in a copy
 * of the project whose {@code mvnw} and {@code java} stand in for Maven and the JVM (they say they ran).
 */
class RunbookScriptTest {
    @TempDir
    Path dir;

    @Test
    void theFirstRunSaysItBuildsTheEngineAndTheNextBuildsNothing() throws Exception {
        Files.copy(Path.of("runbook"), dir.resolve("runbook"));
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Files.writeString(dir.resolve("src/Engine.java"), "class Engine {}");
        script("mvnw", "mkdir -p target && touch target/runbook-engine.jar && echo maven ran >&2");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script("bin/java", "echo java ran");

        ScriptRun first = run();
        assertThat(first.err()).isEqualTo("building the engine (first run, about a minute)…\nmaven ran\n");
        assertThat(first.out()).isEqualTo("java ran\n");

        ScriptRun second = run();
        assertThat(second.err()).isEmpty();
        assertThat(second.out()).isEqualTo("java ran\n");

        Files.setLastModifiedTime(dir.resolve("src/Engine.java"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(run().err()).isEqualTo("rebuilding the engine (src/ or pom.xml changed)…\nmaven ran\n");
    }

    private ScriptRun run() throws Exception {
        return ScriptRun.of(dir, "list", Map.of("PATH", dir.resolve("bin") + ":" + System.getenv("PATH")));
    }

    private void script(String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
