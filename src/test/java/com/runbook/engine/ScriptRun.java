package com.runbook.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code runbook} script of a project copy in a test's folder, run as a user runs it: its output and errors. */
record ScriptRun(String out, String err) {
    /**
     * Runs {@code sh runbook <command>} in {@code dir} with the environment changed by {@code env} (a null value
     * removes the variable); it must end within 60 s with status 0.
     */
    static ScriptRun of(Path dir, String command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", dir.resolve("runbook").toString(), command).directory(dir.toFile());
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return new ScriptRun(Files.readString(out), Files.readString(err));
    }
}
