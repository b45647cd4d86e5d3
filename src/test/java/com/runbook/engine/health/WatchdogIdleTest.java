package com.runbook.engine.health;

import com.runbook.engine.core.RunRecord;
import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shipped health-watchdog ticks often; a tick with no endpoint due writes no run row. */
class WatchdogIdleTest {
    @TempDir
    Path dir;

    @Test
    void aTickWithNothingToProbeWritesNoRunRow() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Files.writeString(base.resolve("schedules/health-watchdog.yaml"), "job: health-watchdog\nevery: 200ms\noverlap: skip\n");
        try (FakeHealth server = new FakeHealth();
             Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of(
                     "runbook.watchdog.endpoints", "api",
                     "runbook.watchdog.endpoint.api.url", server.url("/health"),
                     "runbook.watchdog.endpoint.api.interval", "1h"))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> server.hits("/health") == 1);
            // fires while the first (slow, cold) probe was still going are recorded (skipped, or ran finding nothing)
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.runs().list("health-watchdog", 100).stream().map(RunRecord::json)
                    .noneMatch(r -> r.get("status").equals("running")));
            int rows = engine.runs().list("health-watchdog", 100).size();
            // about 10 more ticks in 2 s, none due: no new row
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    engine.runs().list("health-watchdog", 100).size() == rows && server.hits("/health") == 1);
            assertThat(engine.runs().list("health-watchdog", 100).stream().map(RunRecord::json).toList()).extracting(r -> r.get("status"))
                    .isSubsetOf("succeeded", "skipped")
                    // one tick probed: a fire that waited for it and then found nothing due wrote no row either
                    .containsOnlyOnce("succeeded");
        }
    }
}
