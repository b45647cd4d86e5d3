package com.runbook.engine.dryrun;

import com.runbook.engine.core.Actor;
import com.runbook.engine.Engine;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safety net under every shipped runbook, whatever its beans have been taught: a dry run of each (default
 * settings, no schedules firing) either succeeds or fails, and leaves every table of the engine database but the run
 * rows exactly as before. A failure names what stopped it (an unmarked bean method, an endpoint without a recorder).
 */
@Tag("db")
class ShippedRunbooksDryRunTest {
    @TempDir
    Path dir;

    @Test
    void aDryRunOfEveryShippedRunbookChangesNoTable() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        try (Stream<Path> schedules = Files.list(base.resolve("schedules"))) {
            for (Path f : schedules.toList()) {
                Files.delete(f);   // manual only: nothing but the dry runs touches the tables
            }
        }
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of())) {
            Set<String> runTables = new HashSet<>(Set.of("job_run"));
            runTables.addAll(new JdbcTemplate(engine.dataSource()).queryForList(
                    "select lower(table_name) from information_schema.tables where lower(table_name) like 'run\\_%' escape '\\'",
                    String.class));
            Map<String, List<String>> before = TableSnapshot.of(engine.dataSource(), runTables);
            Map<String, String> outcomes = new TreeMap<>();
            for (String job : engine.runbooks().jobs().keySet()) {
                RunEnd end;
                try {
                    end = engine.runner().startWatched(job, RunTrigger.DRY_RUN, Map.of(), Actor.engine("test"))
                            .await(Duration.ofSeconds(120)).orElseThrow();
                } catch (RuntimeException refused) {
                    outcomes.put(job, "not started: " + refused.getMessage());
                    continue;
                }
                outcomes.put(job, end.status() == RunStatus.SUCCEEDED
                        ? "succeeded, plan " + engine.runs().plan(end.id()).size() + " effect(s)"
                        : "failed: " + end.error());
            }
            outcomes.forEach((job, outcome) -> System.out.println("dry run of " + job + ": " + outcome));
            assertThat(TableSnapshot.of(engine.dataSource(), runTables)).isEqualTo(before);
            assertThat(outcomes.values()).noneMatch(o -> o.toLowerCase(Locale.ROOT).contains("nullpointer"));
        }
    }
}
