package com.runbook.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./runbook run} picks its runtime and builds that runtime's start-up cache once per jar: the real script runs
 * in a copy of the project whose JDKs are stand-ins (a release file and a {@code java} that says how it was called;
 * asked to write a cache, it says it is ready, as the engine does, and writes the cache when stopped).
 */
class RunbookRuntimeTest {
    private static final String JIT = "-XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000 -XX:FreqInlineSize=100";
    private static final String JAVA = """
            #!/bin/sh
            for a in "$@"; do case "$a" in -XX:AOTCacheOutput=*|-XX:ArchiveClassesAtExit=*) out=${a#*=};; esac; done
            if [ -n "$out" ]; then
              trap 'echo cache >"$out"; exit 143' TERM
              echo "Runbook Engine ready in 1 ms"
              while :; do sleep 0.1; done
            fi
            echo "ran $*"
            """;

    @TempDir
    Path dir;

    @Test
    void aJdk25RunsWithItsAotCacheBuiltOncePerJar() throws Exception {
        project();
        Path jdk = jdk("jdk25", "25.0.1");
        ScriptRun first = run("JAVA_HOME", jdk.toString());
        assertThat(first.err()).isEqualTo("preparing the start-up cache for this runtime and jar (once, about 20 s)…\n");
        assertThat(first.out()).startsWith("ran -XX:+UseG1GC -Xms16m -XX:MarkStackSize=65536 " + JIT
                + " -XX:+UseCompactObjectHeaders -XX:AOTCache=target/runbook-engine-jdk25.aot")
                .endsWith(" com.runbook.engine.cli.RunbookCli run\n");
        assertThat(dir.resolve("target/runbook-engine-jdk25.aot")).hasContent("cache");

        ScriptRun second = run("JAVA_HOME", jdk.toString());
        assertThat(second.err()).isEmpty();
        assertThat(second.out()).isEqualTo(first.out());

        Files.setLastModifiedTime(dir.resolve("target/runbook-engine.jar"),
                FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(run("JAVA_HOME", jdk.toString()).err()).startsWith("preparing the start-up cache");
    }

    @Test
    void anOlderJdkRunsWithACdsArchiveAndTheCacheCanBeTurnedOff() throws Exception {
        project();
        Path jdk = jdk("jdk17", "17.0.15");
        ScriptRun first = run("RUNBOOK_JAVA", jdk.toString());
        assertThat(first.out()).startsWith("ran -XX:+UseG1GC -Xms16m -XX:MarkStackSize=65536 " + JIT
                + " -XX:SharedArchiveFile=target/runbook-engine-jdk17.jsa -Xlog:cds*=off -cp ");
        assertThat(dir.resolve("target/runbook-engine-jdk17.jsa")).hasContent("cache");

        ScriptRun off = run("RUNBOOK_JAVA", jdk.toString(), "RUNBOOK_JAVA_CACHE", "off");
        assertThat(off.err()).isEmpty();
        assertThat(off.out()).doesNotContain("SharedArchiveFile").doesNotContain("AOTCache");
    }

    private void project() throws Exception {
        Files.copy(Path.of("runbook"), dir.resolve("runbook"));
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Files.createDirectories(dir.resolve("target"));
        Files.writeString(dir.resolve("target/runbook-engine.jar"), "");
        long now = System.currentTimeMillis();   // built after the last change, before any cache
        Files.setLastModifiedTime(dir.resolve("src"), FileTime.fromMillis(now - 120_000));
        Files.setLastModifiedTime(dir.resolve("pom.xml"), FileTime.fromMillis(now - 120_000));
        Files.setLastModifiedTime(dir.resolve("target/runbook-engine.jar"), FileTime.fromMillis(now - 60_000));
    }

    private Path jdk(String name, String version) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name).resolve("bin"));
        Files.writeString(dir.resolve(name).resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("java");
        Files.writeString(java, JAVA);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.resolve(name);
    }

    /** {@code runbook run} with neither JAVA_HOME nor RUNBOOK_JAVA but those of {@code env} (name, value pairs). */
    private ScriptRun run(String... env) throws Exception {
        Map<String, String> changes = new HashMap<>();
        changes.put("JAVA_HOME", null);
        changes.put("RUNBOOK_JAVA", null);
        for (int i = 0; i < env.length; i += 2) {
            changes.put(env[i], env[i + 1]);
        }
        return ScriptRun.of(dir, "run", changes);
    }
}
