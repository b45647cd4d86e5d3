package com.runbook.engine.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.Engine;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fires missed while the engine was down are made up (fire-once-now) or recorded (skip) with default settings: the
 * engine restarted in a new process with no runbook.node (the default name used to change with the pid, and nothing
 * was made up), and with a renamed node.
 */
@Tag("db")
class CatchUpTest {
    /**
     * Every 10 s: the restarted engine is ready 2-4 s after the missed fire, far from the next one (a start ending
     * within the lead of the next fire is {@link MakeUpRaceTest}'s case).
     */
    private static final String CRON = "cron: \"0/10 * * * * ?\"\n";

    @TempDir
    Path dir;

    /** Two jobs due every 10 s, one made up (fire-once-now), one not (skip). */
    static Path base(Path dir) throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "catch-up", 0);
        Runs.route(base, "no-catch-up", 0);
        Runs.schedule(base, "catch-up", CRON + "misfire: fire-once-now\n");
        Runs.schedule(base, "no-catch-up", CRON + "misfire: skip\n");
        return base;
    }

    /** Runs the first engine until both jobs ran, stops it, and waits past the next due time (and the threshold). */
    static Instant runThenStop(Engine first) throws Exception {
        await().atMost(Duration.ofSeconds(25)).until(() -> Runs.count(first, "catch-up", "succeeded") >= 1
                && Runs.count(first, "no-catch-up", "succeeded") >= 1);
        Instant missed = first.scheduler().nextFire("no-catch-up");
        first.close();
        await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(missed.plusSeconds(1)));
        return missed;
    }

    @Test
    void aRestartInANewProcessWithDefaultSettingsMakesUpTheMissedFireOnce() throws Exception {
        Path base = base(dir);
        Map<String, String> props = new HashMap<>(TestEngine.databaseProperties());
        props.put("runbook.scheduler.misfire-threshold", "500ms");
        Path data = dir.resolve("data");
        // H2 file as shipped, so that the child process opens the same database once this one closed it
        props.putIfAbsent("runbook.db.url", "jdbc:h2:retry:" + data.resolve("runbook"));
        props.put("runbook.data-dir", data.toString());
        Map<String, String> first = new HashMap<>(props);
        first.put("runbook.node", "");  // the default: no RUNBOOK_NODE
        Engine engine = TestEngine.start(base, data, first);
        String node = engine.runner().node();
        assertThat(node).as("default node name, kept in data/node-id").isEqualTo(Files.readString(data.resolve("node-id")).trim())
                .doesNotContain(Long.toString(ProcessHandle.current().pid()));
        Instant missed = runThenStop(engine);

        EngineProcess.Child second = EngineProcess.start(base, props, dir);
        try {
            second.awaitUntil(Duration.ofSeconds(20), () -> second.runs("catch-up").stream()
                    .anyMatch(r -> r.get("trigger").asText().equals("misfire") && r.get("status").asText().equals("succeeded"))
                    && second.runs("no-catch-up").stream().anyMatch(r -> r.get("status").asText().equals("skipped")));
            List<JsonNode> caughtUp = second.runs("catch-up").stream().filter(r -> r.get("trigger").asText().equals("misfire")).toList();
            assertThat(caughtUp).hasSize(1);
            assertThat(caughtUp.get(0).get("node").asText()).isEqualTo(node);
            assertThat(Instant.parse(caughtUp.get(0).get("scheduledFor").asText())).isAfter(missed);
            List<JsonNode> skipped = second.runs("no-catch-up").stream().filter(r -> r.get("status").asText().equals("skipped")).toList();
            assertThat(skipped).hasSize(1);
            assertThat(skipped.get(0).get("error").asText()).isEqualTo("misfired while the engine was down (misfire: skip)");
            assertThat(Instant.parse(skipped.get(0).get("scheduledFor").asText())).isEqualTo(missed);
            assertThat(second.runs("no-catch-up")).noneMatch(r -> r.get("trigger").asText().equals("misfire"));
            // the start-up log says per schedule what was made up or skipped
            assertThat(second.lines()).anyMatch(l -> l.matches(".*catch-up: fire due \\S+ missed while down, ran now \\(misfire: fire-once-now\\).*"));
            assertThat(second.printed("no-catch-up: fire due " + missed + " missed while down, skipped (misfire: skip)")).isTrue();
        } finally {
            second.process().destroy();
            second.process().waitFor();
        }
    }

    @Test
    void aRenamedNodeMakesUpTheFireMissedUnderItsOldName() throws Exception {
        Path base = base(dir);
        Map<String, String> props = new HashMap<>(TestEngine.databaseProperties());
        props.put("runbook.scheduler.misfire-threshold", "500ms");
        props.put("runbook.node", "old-name");
        Instant missed = runThenStop(TestEngine.start(base, dir.resolve("data"), props));
        props.put("runbook.node", "new-name");
        try (Engine second = TestEngine.start(base, dir.resolve("data"), props)) {
            assertMadeUpOnceAndSkippedOnce(second, "new-name", missed);
        }
    }

    /** The restarted engine ran the missed fire once (trigger misfire, on {@code node}) and recorded the skip once. */
    static void assertMadeUpOnceAndSkippedOnce(Engine second, String node, Instant missed) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Runs.of(second, "catch-up").stream()
                .anyMatch(r -> r.trigger().equals("misfire") && r.finished() != null)
                && Runs.count(second, "no-catch-up", "skipped") >= 1);
        List<Runs.Row> caughtUp = Runs.of(second, "catch-up").stream().filter(r -> r.trigger().equals("misfire")).toList();
        assertThat(caughtUp).hasSize(1).allSatisfy(r -> {
            assertThat(r.node()).isEqualTo(node);
            assertThat(r.status()).isEqualTo("succeeded");
        });
        List<Runs.Row> skipped = Runs.of(second, "no-catch-up").stream().filter(r -> r.status().equals("skipped")).toList();
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).scheduledFor()).isEqualTo(missed);
        assertThat(skipped.get(0).error()).isEqualTo("misfired while the engine was down (misfire: skip)");
    }
}
