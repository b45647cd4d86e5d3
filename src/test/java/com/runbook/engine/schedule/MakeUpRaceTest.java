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

/**
 * A restart that ends within the scheduler's lead of a schedule's next fire: that fire's run is recorded at once and
 * holds the overlap lock, while the make-up of the fire missed while down (misfire: fire-once-now) comes at the same
 * moment. The make-up must run (and the next fire, if the make-up still runs at its due time, is the one skipped),
 * never be skipped as overlapping a run that has not started.
 */
@Tag("db")
class MakeUpRaceTest {
    @TempDir
    Path dir;

    @Test
    void aRestartWithinTheLeadOfTheNextFireStillRunsTheMakeUp() throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "every-second", 0);
        Runs.schedule(base, "every-second", "cron: \"* * * * * ?\"\nmisfire: fire-once-now\n");
        Map<String, String> props = new HashMap<>(TestEngine.databaseProperties());
        props.put("runbook.scheduler.misfire-threshold", "200ms");
        // the longest lead: every second, the next fire's run is recorded during half of it
        props.put("runbook.scheduler.lead", "500ms");
        Path data = dir.resolve("data");
        for (int restart = 0; restart < 6; restart++) {
            Instant began = Instant.now();
            try (Engine engine = TestEngine.start(base, data, props)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> Runs.of(engine, "every-second").stream()
                        .filter(r -> r.finished() != null && r.started().isAfter(began))
                        .count() >= 2);
                if (restart > 0) {
                    List<Runs.Row> madeUp = Runs.of(engine, "every-second").stream()
                            .filter(r -> r.trigger().equals("misfire")).toList();
                    assertThat(madeUp).as("restart %d: one make-up per restart, each run, none skipped", restart)
                            .hasSize(restart).allSatisfy(r -> assertThat(r.status()).isEqualTo("succeeded"));
                }
            }
            // down for more than a second (a fire missed beyond the threshold), then started again at a moment
            // that lets the start end within the lead of the next fire (x.5 .. x+1 s) as often as not
            Instant until = Instant.now().plusMillis(1500);
            long phase = 250 + 100L * restart % 500;
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                Instant now = Instant.now();
                return now.isAfter(until) && now.toEpochMilli() % 1000 >= phase;
            });
        }
    }
}
