package com.runbook.engine.schedule;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine is stopped over a due time and started again on the same database. */
@Tag("db")
class MisfireTest {
    private static final String CRON = "cron: \"0/4 * * * * ?\"\n";

    @TempDir
    Path dir;

    @Test
    void fireOnceNowRunsTheMissedFireOnceAtStartAndSkipRecordsIt() throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "catch-up", 0);
        Runs.route(base, "no-catch-up", 0);
        Runs.schedule(base, "catch-up", CRON + "misfire: fire-once-now\n");
        Runs.schedule(base, "no-catch-up", CRON + "misfire: skip\n");
        Map<String, String> props = new HashMap<>(TestEngine.databaseProperties());
        props.put("runbook.scheduler.misfire-threshold", "500ms");

        Engine first = TestEngine.start(base, dir.resolve("data"), props);
        await().atMost(Duration.ofSeconds(15)).until(() -> Runs.count(first, "catch-up", "succeeded") >= 1
                && Runs.count(first, "no-catch-up", "succeeded") >= 1);
        Instant missed = first.scheduler().nextFire("no-catch-up");
        first.close();
        // stay down over the next due time, and past the misfire threshold
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(missed.plusSeconds(1)));

        try (Engine second = TestEngine.start(base, dir.resolve("data"), props)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> Runs.of(second, "catch-up").stream()
                    .anyMatch(r -> r.trigger().equals("misfire")) && Runs.count(second, "no-catch-up", "skipped") >= 1);
            // later fires are on time again
            long before = Runs.of(second, "catch-up").size();
            await().atMost(Duration.ofSeconds(10)).until(() -> Runs.of(second, "catch-up").size() > before);

            List<Runs.Row> caughtUp = Runs.of(second, "catch-up").stream().filter(r -> r.trigger().equals("misfire")).toList();
            assertThat(caughtUp).hasSize(1);
            assertThat(caughtUp.get(0).status()).isEqualTo("succeeded");
            assertThat(caughtUp.get(0).scheduledFor()).isAfter(missed);

            List<Runs.Row> noCatchUp = Runs.of(second, "no-catch-up");
            assertThat(noCatchUp).noneMatch(r -> r.trigger().equals("misfire"));
            Runs.Row skipped = noCatchUp.stream().filter(r -> r.status().equals("skipped")).findFirst().orElseThrow();
            assertThat(skipped.error()).isEqualTo("misfired while the engine was down (misfire: skip)");
            assertThat(skipped.scheduledFor()).isEqualTo(missed);
            assertThat(noCatchUp.stream().filter(r -> r.status().equals("skipped"))).hasSize(1);
        }
    }
}
