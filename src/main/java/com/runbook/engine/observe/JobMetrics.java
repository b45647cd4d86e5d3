package com.runbook.engine.observe;

import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.run.JobRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job run metrics, fed by {@link JobRunner}'s run listener. In Prometheus:
 * <ul>
 *   <li>{@code runbook_job_runs_total{job_name,status,trigger}} — runs that ended (succeeded, failed, skipped);</li>
 *   <li>{@code runbook_job_run_duration_seconds{job_name,status}} — histogram of run durations;</li>
 *   <li>{@code runbook_job_last_success_timestamp_seconds{job_name}} — when the job last succeeded (alert on age).</li>
 * </ul>
 * The label is {@code job_name}, not {@code job}, because Prometheus uses {@code job} for the scrape target.
 */
class JobMetrics implements JobRunner.RunListener {
    static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2)};

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Double> lastSuccess = new ConcurrentHashMap<>();
    /** Meters by job and labels: registering (looking up) one per run contended on the registry's lock. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    JobMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public void finished(String job, String trigger, long runId, RunStatus status, long durationMs, String error) {
        counters.computeIfAbsent(job + '\n' + status + '\n' + trigger, k -> Counter.builder("runbook.job.runs")
                .description("Job runs that ended, by job, status and trigger")
                .tags("job_name", job, "status", status.stored(), "trigger", trigger).register(registry)).increment();
        if (status != RunStatus.SKIPPED) {
            timers.computeIfAbsent(job + '\n' + status, k -> Timer.builder("runbook.job.run.duration")
                    .description("How long job runs took, by job and status")
                    .tags("job_name", job, "status", status.stored()).serviceLevelObjectives(BUCKETS)
                    .register(registry)).record(Duration.ofMillis(durationMs));
        }
        // a dry run (trigger dry-run) did not do the job's work: it never counts as the job's last success
        if (status == RunStatus.SUCCEEDED && !RunTrigger.DRY_RUN.stored().equals(trigger)) {
            if (lastSuccess.put(job, clock.millis() / 1000.0) == null) {
                Gauge.builder("runbook.job.last.success.timestamp", lastSuccess, m -> m.getOrDefault(job, Double.NaN))
                        .description("Unix time of the job's last successful run (since this engine started)")
                        .baseUnit("seconds").tags("job_name", job).register(registry);
            }
        }
    }
}
