package com.runbook.engine.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.RunStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.runbook.engine.TestEngine.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The runbook_* job metrics: the listener alone, and /metrics of a real engine after real runs. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class MetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        // no schedules: only the runs this test makes
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        java.nio.file.Files.delete(base.resolve("schedules/heartbeat.yaml"));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    /** The value of the first sample line {@code name{...labels...} value} (or {@code name value}) with every given label; NaN if none. */
    public static double sample(String scrape, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$").matcher(scrape);
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    long run(String job, String body) throws Exception {
        long id = JSON.readTree(TestEngine.post(engine, "/api/jobs/" + job + "/run", TOKEN, body).body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> !JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body())
                .get("status").asText().equals("running"));
        return id;
    }

    @Test
    void metricsCountRunsByJobAndStatusAndTimeThem() throws Exception {
        run("echo-parameters", "{}");
        run("echo-parameters", "{}");
        run("echo-parameters", "{\"fail\": \"true\"}");
        run("heartbeat", "{}");
        await().atMost(Duration.ofSeconds(5)).until(() -> sample(TestEngine.get(engine, "/metrics").body(),
                "runbook_job_runs_total", "job_name=\"heartbeat\"") == 1.0);
        String scrape = TestEngine.get(engine, "/metrics").body();
        assertThat(sample(scrape, "runbook_job_runs_total", "job_name=\"echo-parameters\"", "status=\"succeeded\"", "trigger=\"manual\""))
                .isEqualTo(2.0);
        assertThat(sample(scrape, "runbook_job_runs_total", "job_name=\"echo-parameters\"", "status=\"failed\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_count", "job_name=\"echo-parameters\"", "status=\"succeeded\""))
                .isEqualTo(2.0);
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_bucket", "job_name=\"echo-parameters\"",
                "status=\"succeeded\"", "le=\"7200.0\"")).isEqualTo(2.0);
        double last = sample(scrape, "runbook_job_last_success_timestamp_seconds", "job_name=\"heartbeat\"");
        assertThat(last).isBetween(Instant.now().getEpochSecond() - 60.0, Instant.now().getEpochSecond() + 1.0);
        assertThat(sample(scrape, "runbook_job_last_success_timestamp_seconds", "job_name=\"echo-parameters\"")).isPositive();

        // every runbook_job_* series the Grafana dashboard charts is one this engine serves
        String dashboard = Files.readString(Path.of("docker/grafana/runbook-engine.json"));
        Matcher names = Pattern.compile("runbook_job_[a-z_]+").matcher(dashboard);
        int charted = 0;
        while (names.find()) {
            assertThat(scrape).as(names.group()).contains("\n" + names.group() + "{");
            charted++;
        }
        assertThat(charted).isGreaterThanOrEqualTo(4);
    }

    @Test
    void skippedRunsAreCountedButNotTimedAndFailuresDoNotMoveLastSuccess() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T02:00:00Z"), ZoneOffset.UTC);
        JobMetrics metrics = new JobMetrics(registry, clock);
        metrics.finished("nightly-backup", "schedule", 1, RunStatus.SUCCEEDED, 120_000, null);
        metrics.finished("nightly-backup", "schedule", 2, RunStatus.SKIPPED, 0, "previous run still running (overlap: skip)");
        metrics.finished("nightly-backup", "schedule", 3, RunStatus.FAILED, 3_000, "IOException: disk full");
        String scrape = registry.scrape();
        assertThat(sample(scrape, "runbook_job_runs_total", "status=\"skipped\"", "trigger=\"schedule\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_count", "status=\"skipped\"")).isNaN();
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_sum", "status=\"succeeded\"")).isEqualTo(120.0);
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_bucket", "status=\"failed\"", "le=\"1.0\"")).isEqualTo(0.0);
        assertThat(sample(scrape, "runbook_job_run_duration_seconds_bucket", "status=\"failed\"", "le=\"5.0\"")).isEqualTo(1.0);
        assertThat(sample(scrape, "runbook_job_last_success_timestamp_seconds", "job_name=\"nightly-backup\""))
                .isEqualTo(clock.instant().getEpochSecond());
    }
}
