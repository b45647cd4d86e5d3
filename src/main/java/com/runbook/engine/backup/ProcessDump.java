package com.runbook.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A dump read from a process's stdout (pg_dump, a custom command); its stderr goes to a temp file for the error. */
final class ProcessDump implements Dump {
    private final String name;
    private final Process process;
    private final Path stderr;

    private ProcessDump(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
    }

    static ProcessDump start(List<String> command, Map<String, String> env, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path err = Files.createTempFile(tmpDir, "stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        pb.environment().putAll(env);
        try {
            return new ProcessDump(Path.of(command.get(0)).getFileName().toString(), pb.start(), err);
        } catch (IOException e) {
            Files.deleteIfExists(err);
            throw e;
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    @Override
    public InputStream stream() {
        return process.getInputStream();
    }

    @Override
    public void finish() throws Exception {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            throw new IOException(name + " did not exit 5 minutes after its output ended");
        }
        int exit = process.exitValue();
        if (exit != 0) {
            String text = Files.readString(stderr, StandardCharsets.UTF_8).strip();
            if (text.length() > 2000) {
                text = text.substring(text.length() - 2000);
            }
            throw new IOException(name + " exited with " + exit + (text.isEmpty() ? "" : ": " + text));
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
