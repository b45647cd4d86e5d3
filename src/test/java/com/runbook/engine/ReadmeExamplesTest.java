package com.runbook.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README's examples, run as a reader runs them, against an engine on the documented defaults: so a stale example fails
 * the build. What is run, in README's order, with the working folder holding {@code routes/}, {@code schedules/} and
 * {@code data/} (so {@code $(cat data/api-token)} is the token the engine generated):
 * <ul>
 *   <li>every {@code ```sh} block that holds a {@code curl} or {@code ./runbook} line, as one script (its variables
 *   carry from line to line), stopping at the first failing command. Each {@code curl} must answer 2xx, or the status
 *   the comment right above it documents ("... answers 503 ..."). Every run an answer names ({@code "runId"}) must
 *   end {@code succeeded}, unless its answer was a documented failure;</li>
 *   <li>every {@code $ ./runbook ...} line of a {@code ```text} block: exit status 0, or, when the output shown starts
 *   with {@code error:}, a failure whose first line is that line; a shown last line {@code exit N} must match;</li>
 *   <li>the example column of every table row whose last cell is a {@code ./runbook} command (but {@code run}:
 *   that is the engine under test): exit status 0;</li>
 *   <li>the {@code curl} line in the comment of {@code routes/echo-parameters.camel.yaml}.</li>
 * </ul>
 * The only things beyond the shipped folders and defaults are the ones README itself sets up: its worked example
 * files ({@code ```yaml} blocks whose first line is {@code # routes/...} or {@code # schedules/...}, added when not
 * shipped), {@code RUNBOOK_GENERIC_HMAC_SECRET} for the signed webhook example (README says the engine needs it), and
 * one open incident (id 1) for {@code ./runbook ack 1}, raised through the generic webhook as an alert would.
 * {@code ./runbook} is the command line on the test's class path; {@code localhost:8080} is the test engine's port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeExamplesTest {
    private static final String SECRET = "readme-hmac-secret";
    private static final Pattern RUN_ID = Pattern.compile("\"runId\"\\s*:\\s*(\\d+)");
    private static final Pattern DOCUMENTED_STATUS = Pattern.compile("answers (\\d{3})");

    @TempDir
    static Path home;
    private Engine engine;
    private String url;
    private final List<String> failures = new ArrayList<>();

    @BeforeAll
    void startADefaultEngine() throws Exception {
        TestEngine.copyShippedRunbooks(home);
        String readme = Files.readString(Path.of("README.md"));
        Matcher file = Pattern.compile("```yaml\\n# ((?:routes|schedules)/[A-Za-z0-9._-]+\\.ya?ml)[^\\n]*\\n(.*?)```",
                Pattern.DOTALL).matcher(readme);
        while (file.find()) {
            Path target = home.resolve(file.group(1));
            if (!Files.exists(target)) {
                Files.writeString(target, file.group(2));
            }
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("camel.server.port", Integer.toString(TestEngine.freePort()));
        settings.put("camel.server.host", "127.0.0.1");
        settings.put("runbook.data-dir", home.resolve("data").toString());
        settings.put("runbook.alert.generic.hmac-secret", SECRET);
        engine = Engine.start(home, settings);
        url = "http://127.0.0.1:" + engine.port();
        Path cli = home.resolve("runbook");
        Files.writeString(cli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path")
                + "' com.runbook.engine.cli.RunbookCli \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwxr-xr-x"));
        Shell alert = shell("curl -s -X POST -H \"Authorization: Bearer $(cat data/api-token)\" -H 'Content-Type:"
                + " application/json' -d '{\"title\":\"Disk almost full\",\"priority\":\"P3\",\"key\":\"readme-setup\"}'"
                + " localhost:8080/webhooks/generic");
        assertThat(alert.out()).as(alert.err()).contains("\"incidents\":[1]");
    }

    @AfterAll
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void everyExampleOfReadmeAndOfTheEchoRouteWorks() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        int ran = 0;
        for (int i = 0; i < readme.size(); i++) {
            String line = readme.get(i);
            if (line.equals("```sh") || line.equals("```text")) {
                List<String> block = new ArrayList<>();
                int start = i + 1;
                for (i++; i < readme.size() && !readme.get(i).equals("```"); i++) {
                    block.add(readme.get(i));
                }
                ran += line.equals("```sh") ? script(start, block) : transcript(start, block);
            } else if (line.startsWith("|") && line.matches(".*\\| `\\./runbook [^`]+` \\|\\s*$")) {
                String command = line.replaceAll(".*\\| `(\\./runbook [^`]+)` \\|\\s*$", "$1");
                if (!command.equals("./runbook run")) {
                    expectSuccess("README.md:" + (i + 1), command, shell(command));
                    ran++;
                }
            }
        }
        String route = Files.readString(Path.of("routes/echo-parameters.camel.yaml"));
        Matcher comment = Pattern.compile("(?m)^#\\s+(curl .*(?:\\\\\\n#.*)*)").matcher(route);
        assertThat(comment.find()).as("the echo route's comment has its curl example").isTrue();
        String command = comment.group(1).replaceAll("\\\\\\n#\\s*", " ");
        ran += script(0, List.of(command.replace("curl -X", "curl -s -X")));

        assertThat(ran).as("examples run").isGreaterThan(20);
        assertThat(failures).as("README examples that fail on a default engine").isEmpty();
    }

    /** A ```sh block as one script; returns the commands it holds (0 when it has no curl or ./runbook line). */
    private int script(int firstLine, List<String> block) throws Exception {
        List<String> commands = new ArrayList<>();
        List<Integer> expected = new ArrayList<>();
        String comment = "";
        StringBuilder pending = new StringBuilder();
        for (String line : block) {
            if (pending.isEmpty() && line.strip().startsWith("#")) {
                comment += line;
                continue;
            }
            pending.append(line);
            if (line.endsWith("\\")) {
                pending.setLength(pending.length() - 1);
                pending.append(' ');
                continue;
            }
            String command = pending.toString().strip();
            pending.setLength(0);
            if (command.isEmpty()) {
                continue;
            }
            commands.add(command);
            Matcher documented = DOCUMENTED_STATUS.matcher(comment);
            expected.add(documented.find() ? Integer.parseInt(documented.group(1)) : 0);
            comment = "";
        }
        if (commands.stream().noneMatch(c -> c.contains("curl ") || c.contains("./runbook "))) {
            return 0;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            text.append("echo '@@command ").append(i).append("' >&2\n").append(commands.get(i)).append('\n');
        }
        Shell result = shell("set -e -o pipefail\n" + text);
        String where = "README.md:" + firstLine;
        if (result.status() != 0) {
            failures.add(where + ": the block stopped with exit status " + result.status() + "\n" + result);
            return commands.size();
        }
        // the status each curl answered, per command (the shell's curl prints it on stderr after the body)
        int command = -1;
        for (String line : result.err().lines().toList()) {
            if (line.startsWith("@@command ")) {
                command = Integer.parseInt(line.substring("@@command ".length()));
            } else if (line.startsWith("@@status ") && command >= 0) {
                int status = Integer.parseInt(line.substring("@@status ".length()).strip());
                int want = expected.get(command);
                if (want == 0 ? status < 200 || status > 299 : status != want) {
                    failures.add(where + ": `" + commands.get(command) + "` answered " + status
                            + (want == 0 ? "" : ", README says " + want) + "\n" + result);
                }
            }
        }
        boolean documentedFailure = expected.stream().anyMatch(s -> s >= 400);
        if (!documentedFailure) {
            followRuns(where, result.out());
        }
        return commands.size();
    }

    /** The {@code $ command} lines of a ```text block, each checked against the output shown below it. */
    private int transcript(int firstLine, List<String> block) throws Exception {
        int ran = 0;
        for (int i = 0; i < block.size(); i++) {
            if (!block.get(i).startsWith("$ ")) {
                continue;
            }
            String command = block.get(i).substring(2);
            List<String> shown = new ArrayList<>();
            for (int j = i + 1; j < block.size() && !block.get(j).startsWith("$ "); j++) {
                shown.add(block.get(j));
            }
            Shell result = shell(command);
            String where = "README.md:" + (firstLine + i + 1);
            if (!shown.isEmpty() && shown.get(0).startsWith("error:")) {
                String first = result.err().lines().findFirst().orElse("");
                if (result.status() == 0 || !first.equals(shown.get(0))) {
                    failures.add(where + ": `" + command + "` should fail with `" + shown.get(0) + "`\n" + result);
                }
            } else {
                expectSuccess(where, command, result);
                String last = shown.isEmpty() ? "" : shown.get(shown.size() - 1);
                List<String> out = result.out().lines().toList();
                if (last.matches("exit \\d+") && (out.isEmpty() || !out.get(out.size() - 1).equals(last))) {
                    failures.add(where + ": `" + command + "` should end with `" + last + "`\n" + result);
                }
            }
            ran++;
        }
        return ran;
    }

    private void expectSuccess(String where, String command, Shell result) throws Exception {
        if (result.status() != 0) {
            failures.add(where + ": `" + command + "` exited " + result.status() + "\n" + result);
        } else {
            followRuns(where + ": `" + command + "`", result.out());
        }
    }

    /** Every run an answer names must end succeeded. */
    private void followRuns(String where, String out) throws Exception {
        Matcher m = RUN_ID.matcher(out);
        while (m.find()) {
            long id = Long.parseLong(m.group(1));
            await().atMost(Duration.ofSeconds(120)).until(() -> !status(id).equals("running"));
            String status = status(id);
            if (!status.equals("succeeded")) {
                failures.add(where + ": run " + id + " ended " + status + ": "
                        + TestEngine.get(engine, "/api/runs/" + id, engine.apiToken()).body());
            }
        }
    }

    private String status(long run) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(TestEngine.get(engine, "/api/runs/" + run, engine.apiToken()).body())
                .path("status").asText();
    }

    private record Shell(int status, String out, String err) {
        @Override
        public String toString() {
            return "--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code commands} with bash in the engine's folder (a ```sh block adds {@code set -e}: the first failing
     * command stops it; a transcript line like {@code cmd; echo "exit $?"} must go on): {@code localhost:8080} is the test engine, and curl
     * prints the HTTP status of each answer on stderr ({@code @@status NNN}).
     */
    private Shell shell(String commands) throws Exception {
        String script = "curl() { command curl -w '%{stderr}@@status %{http_code}\\n' \"$@\"; }\n"
                + commands.replace("http://localhost:8080", url).replace("localhost:8080", url.substring("http://".length()));
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(home.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("RUNBOOK_"));
        builder.environment().put("RUNBOOK_URL", url);
        builder.environment().put("RUNBOOK_GENERIC_HMAC_SECRET", SECRET);
        builder.environment().put("USER", "readme");
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + commands);
        }
        return new Shell(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
