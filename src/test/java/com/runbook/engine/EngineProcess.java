package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.awaitility.Awaitility.await;

/**
 * An engine in a JVM of its own, as {@code runbook run} starts it (a shutdown hook closes it on SIGTERM): what a test
 * kills with SIGKILL ({@link Process#destroyForcibly}) or stops with SIGTERM ({@link Process#destroy}). Arguments of
 * {@link #main}: base folder, settings file. Prints {@code RUNNING} once the engine is up, {@code STOPPED} once closed.
 */
public final class EngineProcess {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A started child: its process, every line it printed (its log too), and its HTTP port. */
    public record Child(Process process, List<String> lines, int port) {
        /** GET {@code path} of the child's API as JSON (with the test token). */
        public JsonNode get(String path) throws Exception {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + TestEngine.TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        }

        /** The rows of GET /api/runs?job=... (newest first). */
        public List<JsonNode> runs(String job) throws Exception {
            List<JsonNode> rows = new ArrayList<>();
            get("/api/runs?limit=1000&job=" + job).forEach(rows::add);
            return rows;
        }

        /**
         * Awaits {@code condition} for up to {@code limit}; on timeout fails with the child's last 200 lines (its log:
         * what the scheduler and the runs did), which a bare timeout would not say.
         */
        public void awaitUntil(Duration limit, java.util.concurrent.Callable<Boolean> condition) {
            try {
                await().atMost(limit).until(condition);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\nthe child engine's last lines:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size())), e);
            }
        }

        public boolean printed(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }

    private EngineProcess() {
    }

    /** The settings a child engine is started with: the properties file its parent wrote. */
    public static Map<String, String> settings(Path file) throws IOException {
        Properties settings = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            settings.load(r);
        }
        Map<String, String> props = new HashMap<>();
        settings.forEach((k, v) -> props.put(k.toString(), v.toString()));
        return props;
    }

    /** Collects a child process's standard output, line by line, on a daemon thread, until the process ends. */
    public static List<String> lines(Process process) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "child-engine-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.start(Path.of(args[0]), settings(Path.of(args[1])), Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                System.out.println("STOPPED");
                System.out.flush();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("RUNNING");
        System.out.flush();
        stopped.await();
    }

    /**
     * Starts an engine on {@code base} in a new JVM with {@code settings} (plus a free port, the test token and
     * loopback) and returns once it printed RUNNING. Its log lines go to target/test-engine.log too (log4j2-test.xml).
     */
    public static Child start(Path base, Map<String, String> settings, Path dir) throws Exception {
        Properties p = new Properties();
        p.putAll(settings);
        int port = TestEngine.freePort();
        p.put("camel.server.port", Integer.toString(port));
        p.put("camel.server.host", "127.0.0.1");
        p.put("runbook.api.token", TestEngine.TOKEN);
        Path file = Files.createTempFile(dir, "child", ".properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                EngineProcess.class.getName(), base.toString(), file.toString())
                .redirectErrorStream(true).start();
        List<String> lines = lines(process);
        await().atMost(Duration.ofSeconds(90)).until(() -> lines.contains("RUNNING") || !process.isAlive());
        if (!lines.contains("RUNNING")) {
            throw new IllegalStateException("child engine did not start: " + String.join("\n", lines));
        }
        return new Child(process, lines, port);
    }
}
