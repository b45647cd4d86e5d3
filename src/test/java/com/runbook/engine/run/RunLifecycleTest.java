package com.runbook.engine.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.Engine;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.TestEngine;
import com.runbook.engine.schedule.Runs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run's lifecycle always ends: an engine process killed with SIGKILL mid-run, or a route forced down by a reload
 * during a step longer than the graceful timeout, leaves no run {@code running} and no {@code job_lock}; the next fire
 * of an {@code overlap: skip} job runs; SIGTERM ends within the documented time. Real child JVMs, default node name.
 */
@Tag("db")
class RunLifecycleTest {
    @TempDir
    Path dir;

    /** The same databases for every process: H2 files a killed process does not keep locked, or PostgreSQL. */
    private Map<String, String> settings(Path data) throws Exception {
        Map<String, String> s = new HashMap<>(TestEngine.databaseProperties());
        s.putIfAbsent("runbook.db.url", "jdbc:h2:file:" + data.resolve("runbook") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;FILE_LOCK=FS");
        s.put("runbook.data-dir", data.toString());
        s.put("runbook.trading.demo", "false");
        return s;
    }

    private static JdbcTemplate db(Map<String, String> settings) {
        return new JdbcTemplate(new DriverManagerDataSource(settings.get("runbook.db.url"),
                settings.getOrDefault("runbook.db.user", "sa"), settings.getOrDefault("runbook.db.password", "")));
    }

    /** Sends SIGTERM and returns how long the engine took to exit, in ms (printed: a figure the README quotes). */
    private static long sigterm(EngineProcess.Child child, String with) throws Exception {
        long t0 = System.nanoTime();
        child.process().destroy();
        assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).as("SIGTERM ends the engine").isTrue();
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("SIGTERM with " + with + ": engine stopped in " + stopMs + " ms");
        return stopMs;
    }

    private static long runningId(EngineProcess.Child child, String job) throws Exception {
        return child.runs(job).stream().filter(r -> r.get("status").asText().equals("running"))
                .mapToLong(r -> r.get("id").asLong()).min().orElse(-1);
    }

    @Test
    void aRunKilledWithSigkillEndsFailedAtRestartItsLockIsReleasedAndTheNextFireRuns() throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "long-job", 60_000, "ran");
        Runs.schedule(base, "long-job", "every: 2s\noverlap: skip\n");
        Map<String, String> settings = settings(dir.resolve("data"));

        EngineProcess.Child child = EngineProcess.start(base, settings, dir);
        await().atMost(Duration.ofSeconds(30)).until(() -> runningId(child, "long-job") > 0);
        long killed = runningId(child, "long-job");
        String node = child.runs("long-job").get(0).get("node").asText();
        child.process().destroyForcibly().waitFor();

        Map<String, String> restart = new HashMap<>(settings);
        restart.put("runbook.node", "");  // default settings: the name kept in data/node-id
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), restart)) {
            assertThat(engine.runner().node()).isEqualTo(node);
            JdbcTemplate jdbc = new JdbcTemplate(engine.dataSource());
            Map<String, Object> left = jdbc.queryForMap("select status, error, finished_at from job_run where id = ?", killed);
            assertThat(left.get("status")).isEqualTo("failed");
            assertThat(left.get("error")).isEqualTo("abandoned: the engine process that ran it ended without finishing it"
                    + " (crash, kill or power loss); found at the start of " + node);
            assertThat(left.get("finished_at")).isNotNull();
            // the next fire runs: the first row after the killed run is a run, not "skipped (overlap: skip)"
            await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForList(
                    "select status from job_run where job = 'long-job' and id > ? order by id", String.class, killed).size() >= 2);
            List<String> after = jdbc.queryForList("select status from job_run where job = 'long-job' and id > ? order by id",
                    String.class, killed);
            assertThat(after.get(0)).isEqualTo("running");
            assertThat(jdbc.queryForList("select started_at from job_lock where job = 'long-job'", OffsetDateTime.class))
                    .as("the only lock is the new run's").singleElement()
                    .satisfies(t -> assertThat(t.toInstant()).isAfterOrEqualTo(engine.runner().startedAt()));
            assertThat(jdbc.queryForObject("select count(*) from job_run where status = 'running' and id <= ?", Integer.class, killed))
                    .isZero();
        }
    }

    @Test
    void aReloadDuringAStepLongerThanTheGracefulTimeoutEndsTheRunFailedTheNextFireRunsAndSigtermEndsInTime() throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "long-step", 20_000, "ran");
        Runs.schedule(base, "long-step", "every: 3s\noverlap: skip\n");
        Map<String, String> settings = settings(dir.resolve("data"));
        settings.put("camel.main.shutdownTimeout", "2");
        settings.put("runbook.scheduler.shutdown-wait", "2s");

        EngineProcess.Child child = EngineProcess.start(base, settings, dir);
        await().atMost(Duration.ofSeconds(30)).until(() -> runningId(child, "long-step") > 0);
        long first = runningId(child, "long-step");
        Runs.route(base, "long-step", 20_000, "edited");

        // forced down 2 s after the reload began; the run ends failed within a second after that
        await().atMost(Duration.ofSeconds(20)).until(() -> child.runs("long-step").stream()
                .anyMatch(r -> r.get("id").asLong() == first && r.get("status").asText().equals("failed")));
        JsonNode ended = child.runs("long-step").stream().filter(r -> r.get("id").asLong() == first).findFirst().orElseThrow();
        assertThat(ended.get("error").asText()).isEqualTo("the route long-step was stopped under the run (a reload or stop"
                + " forced it down after its graceful timeout, camel.main.shutdownTimeout)");
        await().atMost(Duration.ofSeconds(15)).until(() -> runningId(child, "long-step") > first);
        long next = runningId(child, "long-step");
        // fires while the forced stop was pending were skipped (the run was still going on); none after it ended
        java.time.Instant endedAt = java.time.Instant.parse(ended.get("finishedAt").asText());
        assertThat(child.runs("long-step").stream().filter(r -> r.get("id").asLong() > first && r.get("id").asLong() < next))
                .allSatisfy(r -> {
                    assertThat(r.get("status").asText()).isEqualTo("skipped");
                    assertThat(java.time.Instant.parse(r.get("startedAt").asText())).isBeforeOrEqualTo(endedAt);
                });

        long stopMs = sigterm(child, "a run going on (shutdown-wait 2s, camel.main.shutdownTimeout 2)");
        // shutdown-wait + camel.main.shutdownTimeout + the rest of the stop
        assertThat(stopMs).isLessThan(12_000);

        // the shutdown hook closed the engine: the run going on was ended, its lock given back
        JdbcTemplate jdbc = db(settings);
        Map<String, Object> last = jdbc.queryForMap("select status, error from job_run where id = ?", next);
        assertThat(last.get("status")).isEqualTo("failed");
        assertThat(last.get("error")).isEqualTo("the engine stopped while the run was going on (waited 2000 ms for it to end)");
        assertThat(jdbc.queryForObject("select count(*) from job_lock", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from job_run where status = 'running'", Integer.class)).isZero();
    }

    @Test
    void sigtermWithDefaultSettingsEndsWithinTheDocumentedTimeWhileARunIsStuck() throws Exception {
        Path base = dir.resolve("base");
        Runs.route(base, "stuck", 600_000, "ran");
        Runs.schedule(base, "stuck", "every: 2s\noverlap: skip\n");
        Map<String, String> settings = settings(dir.resolve("data"));
        EngineProcess.Child child = EngineProcess.start(base, settings, dir);
        await().atMost(Duration.ofSeconds(30)).until(() -> runningId(child, "stuck") > 0);
        long stuck = runningId(child, "stuck");

        long stopMs = sigterm(child, "a stuck run, default settings");
        // README: runbook.scheduler.shutdown-wait (10 s) + Camel's stop cut to 5 s + the rest of the stop
        assertThat(stopMs).isLessThan(20_000);
        JdbcTemplate jdbc = db(settings);
        assertThat(jdbc.queryForObject("select error from job_run where id = ?", String.class, stuck))
                .isEqualTo("the engine stopped while the run was going on (waited 10000 ms for it to end)");
        assertThat(jdbc.queryForObject("select count(*) from job_lock", Integer.class)).isZero();
    }
}
