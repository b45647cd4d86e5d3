package com.runbook.engine.backup;

import com.runbook.engine.health.HealthProbe;
import com.runbook.engine.health.Watchdog;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The bean {@code maintenance} routes/sunday-maintenance.camel.yaml calls, one method per step: back up the critical
 * tables, purge old market data, health-check the watchdog's endpoints, mail the report. A step never throws: it
 * records its outcome in maintenance_step, so later steps still run; the report step mails every step of the run,
 * and when one failed it raises a P2 "MaintenanceFailed" incident and fails the run.
 * <p>In a dry run the steps plan instead of acting (the backup plans its uploads, the purge counts the rows it would
 * delete and plans the delete, the health check probes for real: it only reads), their outcomes are kept in memory
 * for the report instead of in maintenance_step, and the report goes to the notifier and the incident service, which
 * plan it in turn.
 */
public class Maintenance {
    static final String JOB = "sunday-maintenance";
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    /** A step's work: returns the detail recorded with it, throws when the step failed. */
    @FunctionalInterface
    interface Work {
        String run() throws Exception;
    }

    private final BackupService backups;
    private final List<String> backupSources;
    private final MarketDataPurge purge;
    private final Supplier<List<Watchdog.Endpoint>> endpoints;
    private final Supplier<Notifier> notifier;
    private final Supplier<IncidentRaiser> incidents;
    private final String recipient;
    private final String priority;
    private final Clock clock;
    /** The steps of the dry runs going on, by run id (maintenance_step holds the real runs' steps). */
    private final Map<Long, List<BackupRecords.Step>> rehearsed = new ConcurrentHashMap<>();

    Maintenance(BackupService backups, List<String> backupSources, MarketDataPurge purge,
                Supplier<List<Watchdog.Endpoint>> endpoints, Supplier<Notifier> notifier,
                       Supplier<IncidentRaiser> incidents, String recipient, String priority, Clock clock) {
        this.backups = backups;
        this.backupSources = List.copyOf(backupSources);
        this.purge = purge;
        this.endpoints = endpoints;
        this.notifier = notifier;
        this.incidents = incidents;
        this.recipient = recipient == null || recipient.isBlank() ? null : recipient.trim();
        this.priority = priority;
        this.clock = clock;
    }

    /** Step "backup": each configured source through the backup path (temp key, verify, promote, backup_object). */
    @DryRunSafe
    public String backup(long runId) {
        return step(runId, "backup", () -> {
            List<String> done = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (String source : backupSources) {
                try {
                    BackupRecords.StoredObject o = backups.store(backups.source(source), runId);
                    done.add(o.key() + (o.verified() ? " (" + o.size() + " bytes, sha256 " + o.sha256() + ")" : " (planned)"));
                } catch (Exception e) {
                    failed.add(source + ": " + message(e));
                }
            }
            if (!failed.isEmpty()) {
                throw new IllegalStateException(String.join("; ", failed) + (done.isEmpty() ? "" : "; stored " + String.join(", ", done)));
            }
            return backupSources.isEmpty() ? "no sources configured (runbook.maintenance.backup-sources)" : String.join(", ", done);
        });
    }

    /** Step "purge": old market data deleted in bounded batches. */
    @DryRunSafe
    public String purge(long runId) {
        return step(runId, "purge", () -> purge.purge().describe());
    }

    /** Step "health-check": every watchdog endpoint probed once; any down fails the step. */
    @DryRunSafe
    public String healthCheck(long runId) {
        return step(runId, "health-check", () -> {
            List<Watchdog.Endpoint> list = endpoints.get();
            if (list.isEmpty()) {
                return "no endpoints configured (runbook.watchdog.endpoints)";
            }
            List<String> lines = new ArrayList<>();
            boolean down = false;
            for (Watchdog.Endpoint e : list) {
                HealthProbe.Result r = HealthProbe.check(e.url(), e.timeout());
                down |= !r.up();
                lines.add(e.name() + " " + (r.up() ? "UP" : "DOWN") + " " + r.latencyMs() + " ms " + (r.up() ? "HTTP " + r.status() : r.error()));
            }
            if (down) {
                throw new IllegalStateException(String.join("; ", lines));
            }
            return String.join("; ", lines);
        });
    }

    private String step(long runId, String name, Work work) {
        Instant started = clock.instant();
        String status = "succeeded";
        String detail;
        try {
            detail = work.run();
        } catch (Exception e) {
            status = "failed";
            detail = message(e);
            LOG.error("Maintenance run {}: step {} failed: {}", runId, name, detail);
        }
        if (DryRun.current().isPresent()) {
            rehearsed.computeIfAbsent(runId, id -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(new BackupRecords.Step(name, status, detail, started, clock.instant()));
        } else {
            backups.records().recordStep(runId, name, status, detail, started, clock.instant());
        }
        return status;
    }

    /**
     * Step "report": mails every recorded step of the run (status, duration, detail); when a step failed, raises
     * the P2 and throws so the run is marked failed; otherwise resolves an earlier MaintenanceFailed.
     */
    @DryRunSafe
    public String report(long runId) {
        List<BackupRecords.Step> steps = DryRun.current().isPresent()
                ? rehearsed.getOrDefault(runId, List.of()) : backups.records().steps(runId);
        rehearsed.remove(runId);
        List<String> failed = steps.stream().filter(s -> !"succeeded".equals(s.status())).map(BackupRecords.Step::step).toList();
        String subject = "Sunday maintenance " + (failed.isEmpty() ? "succeeded" : "FAILED at " + String.join(", ", failed)) + " (run " + runId + ")";
        String body = render(subject, steps);
        Notifier n = notifier.get();
        if (n == null) {
            LOG.warn("No notifier bound ('notifier'): maintenance report only logged:\n{}", body);
        } else {
            n.enqueue("email", recipient, subject, body, JOB + "-report-" + runId, Map.of());
        }
        IncidentRaiser raiser = incidents.get();
        String key = "MaintenanceFailed/" + JOB;
        if (!failed.isEmpty()) {
            if (raiser != null) {
                raiser.raise(key, priority, "MaintenanceFailed: " + String.join(", ", failed),
                        "Sunday maintenance run " + runId + " failed at step(s) " + String.join(", ", failed) + ".\n\n" + body,
                        Map.of("alertname", "MaintenanceFailed", "job", JOB, "run", Long.toString(runId)));
            }
            throw new IllegalStateException("maintenance step(s) failed: " + String.join(", ", failed));
        }
        if (raiser != null) {
            raiser.resolve(key, "maintenance run " + runId + " succeeded");
        }
        return body;
    }

    static String render(String title, List<BackupRecords.Step> steps) {
        StringBuilder b = new StringBuilder(title).append("\n\n");
        b.append(String.format("%-14s %-10s %10s  %s%n", "step", "status", "duration", "detail"));
        for (BackupRecords.Step s : steps) {
            Duration d = Duration.between(s.startedAt(), s.finishedAt());
            b.append(String.format("%-14s %-10s %8d ms  %s%n", s.step(), s.status(), d.toMillis(), s.detail()));
        }
        return b.toString();
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
