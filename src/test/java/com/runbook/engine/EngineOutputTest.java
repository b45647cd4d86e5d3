package com.runbook.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a person reads when they start and stop the engine with {@code runbook run}, in a JVM of its own (all it
 * prints, log included): a taken port is one line and exit status 1; a start polled by {@code /health} the whole time
 * logs no exception, says which jobs are manual, names the console URL and where the API token is once ready; a
 * SIGTERM logs one line.
 */
@Tag("db")
class EngineOutputTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void aTakenPortIsOneLineAndExitStatusOne() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        try (ServerSocket taken = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Process run = run(base, port);
            List<String> lines = EngineProcess.lines(run);
            assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !lines.isEmpty());
            assertThat(run.exitValue()).isEqualTo(1);
            assertThat(lines).containsExactly("error: cannot listen on 127.0.0.1:" + port + " (camel.server.host/port,"
                    + " env RUNBOOK_HOST/RUNBOOK_PORT): the port is in use or not allowed");
        }
        assertThat(dir.resolve("data")).as("nothing was created").doesNotExist();
    }

    @Test
    void aStartPolledByHealthLogsNoExceptionAndAStopLogsOneLine() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        int port = TestEngine.freePort();
        Process run = run(base, port);
        List<String> lines = EngineProcess.lines(run);
        // /health is polled from the first moment, as Docker's HEALTHCHECK and a load balancer do
        List<Integer> answers = new CopyOnWriteArrayList<>();
        AtomicBoolean polling = new AtomicBoolean(true);
        Thread poller = new Thread(() -> {
            while (polling.get()) {
                try {
                    answers.add(CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (Exception notListeningYet) {
                    Thread.onSpinWait();
                }
            }
        }, "health-poller");
        poller.start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> lines.stream().anyMatch(l -> l.contains("Runbook files: "))
                    || !run.isAlive());
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.contains(200));
        } finally {
            polling.set(false);
            poller.join();
        }
        List<String> start = List.copyOf(lines);
        assertThat(answers).as("/health answered while the engine started, then 200").contains(200);
        assertThat(start).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("ERROR"));
        assertThat(start).noneMatch(l -> l.contains("next fire null"));
        assertThat(start).anyMatch(l -> l.endsWith("Job echo-parameters from routes/echo-parameters.camel.yaml:"
                + " manual (no schedule; runs when triggered)"));
        assertThat(start).anyMatch(l -> l.matches(".* Runbook Engine ready in \\d+ ms: console and API at http://127\\.0\\.0\\.1:"
                + port + "/, API token in " + java.util.regex.Pattern.quote(dir.resolve("data").resolve("api-token").toString())
                + " \\(node test-node, data .*\\)"));

        // SIGTERM, as systemd and Docker stop it (Process.destroy would close the pipe of its output first)
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).start().waitFor()).isZero();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.contains("Runbook Engine stopped")));
        List<String> stop = new ArrayList<>(lines.subList(start.size(), lines.size()));
        assertThat(stop).hasSize(1);
        assertThat(stop.get(0)).matches(".* Runbook Engine stopped in \\d+ ms");
    }

    @Test
    void aStopAskedForDuringTheStartWaitsForItAndLogsOneLine() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Process run = run(base, TestEngine.freePort());
        List<String> lines = EngineProcess.lines(run);
        // the first line of the start (the generated token); the engine is far from ready then
        await().atMost(Duration.ofSeconds(120)).until(() -> !lines.isEmpty() || !run.isAlive());
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).start().waitFor()).isZero();
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.contains("Runbook Engine stopped")));
        assertThat(lines).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("ERROR"));
        assertThat(lines.get(lines.size() - 1)).matches(".* Runbook Engine stopped in \\d+ ms");
    }

    @Test
    void aSecondEngineOnTheSameDataFolderIsOneLineThatSaysSo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestEngine.onPostgres(), "the embedded H2 locks its file");
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Path data = dir.resolve("data");
        try (Engine first = Engine.start(base, Map.of("camel.server.port", Integer.toString(TestEngine.freePort()),
                "camel.server.host", "127.0.0.1", "runbook.data-dir", data.toString()))) {
            Process second = run(base, TestEngine.freePort());
            List<String> lines = EngineProcess.lines(second);
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> l.startsWith("error: ")));
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(lines).filteredOn(l -> !l.contains("No RUNBOOK_API_TOKEN set")).singleElement().asString()
                    .startsWith("error: cannot open the engine database (runbook.db.url (env RUNBOOK_DB_URL)): Database may"
                            + " be already in use")
                    .endsWith(" (is another engine running on the data folder " + data
                            + ", runbook.data-dir (env RUNBOOK_DATA_DIR)?)");
        }
    }

    /** {@code runbook run} on {@code base} in a new JVM, on loopback and {@code port}, data under the test's folder. */
    private Process run(Path base, int port) throws Exception {
        Map<String, String> db = TestEngine.databaseProperties();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dcamel.server.port=" + port, "-Dcamel.server.host=127.0.0.1", "-Drunbook.node=test-node",
                "-Drunbook.data-dir=" + dir.resolve("data")));
        db.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("com.runbook.engine.cli.RunbookCli", "run", "--dir", base.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("RUNBOOK_"));
        return builder.start();
    }
}
