package com.runbook.engine.backup;

import com.runbook.engine.settings.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The backup and Sunday maintenance settings ({@code runbook.backup.*}, {@code runbook.maintenance.*}); the sources'
 * own keys ({@code runbook.backup.source.<name>.*}) are read per source by {@link BackupModule}.
 *
 * @param store              where backups go
 * @param localRoot          the folder of the local store
 * @param s3                 the S3 store (read when {@code store} is S3)
 * @param sources            what the nightly backup dumps, in order
 * @param maintenanceSources what the Sunday maintenance backs up, in order
 * @param keepDaily          retention: the newest copy of each of this many last days
 * @param keepWeekly         retention: the newest copy of each of this many last ISO weeks
 * @param retentionDryRun    whether retention only logs what it would delete
 * @param incidentPriority   the priority of "BackupFailed" and "RestoreDrillFailed"
 * @param pgDump             the pg_dump program
 * @param pgRestore          the pg_restore program
 * @param tmpDir             scratch folder
 * @param drillReportTo      who gets the restore drill report (empty: the email channel's default recipient)
 * @param maintenance        the Sunday maintenance
 */
record BackupSettings(Store store, Path localRoot, S3 s3, List<String> sources, List<String> maintenanceSources,
                      int keepDaily, int keepWeekly, boolean retentionDryRun, String incidentPriority, String pgDump,
                      String pgRestore, Path tmpDir, Optional<String> drillReportTo, Sunday maintenance) {

    /** Where backups (and the monthly report's copies) are filed. */
    enum Store {
        /** Files under a folder; keys as on S3. */
        LOCAL,
        /** An S3-compatible store. */
        S3;

        static Store parse(String kind) {
            for (Store s : values()) {
                if (s.name().toLowerCase(Locale.ROOT).equals(kind.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("runbook.backup.store must be local or s3, was '" + kind + "'");
        }
    }

    /** The S3 store ({@code runbook.backup.s3.*}); empty endpoint: AWS; empty access key: the AWS default chain. */
    record S3(String bucket, String region, Optional<String> endpoint, boolean pathStyle, Optional<String> accessKey,
              String secretKey, String sse, String kmsKeyId, int partSize, int uploadThreads) {
        static S3 from(Settings s) {
            return new S3(s.text("runbook.backup.s3.bucket").trim(), s.text("runbook.backup.s3.region").trim(),
                    s.optional("runbook.backup.s3.endpoint"), s.flag("runbook.backup.s3.path-style"),
                    s.optional("runbook.backup.s3.access-key"), s.text("runbook.backup.s3.secret-key"),
                    s.text("runbook.backup.s3.sse"), s.text("runbook.backup.s3.sse-kms-key-id"),
                    s.integer("runbook.backup.s3.part-size"), s.integer("runbook.backup.s3.upload-threads"));
        }
    }

    /**
     * The Sunday maintenance ({@code runbook.maintenance.*}): who gets its report (empty: the email channel's default
     * recipient), the priority of "MaintenanceFailed", and the market data purge.
     */
    record Sunday(Optional<String> reportTo, String incidentPriority, String purgeDatabase, String purgeTable,
                       String purgeTimeColumn, String purgeKeyColumn, Duration purgeOlderThan, int purgeBatchSize) {
        static Sunday from(Settings s) {
            return new Sunday(s.optional("runbook.maintenance.report-to"),
                    s.text("runbook.maintenance.incident-priority").trim(),
                    s.text("runbook.maintenance.purge.database").trim(), s.text("runbook.maintenance.purge.table").trim(),
                    s.text("runbook.maintenance.purge.time-column").trim(),
                    s.text("runbook.maintenance.purge.key-column").trim(),
                    s.duration("runbook.maintenance.purge.older-than"), s.integer("runbook.maintenance.purge.batch-size"));
        }
    }

    static BackupSettings from(Settings s) {
        return new BackupSettings(Store.parse(s.text("runbook.backup.store")), Path.of(s.text("runbook.backup.local.root").trim()),
                S3.from(s), s.list("runbook.backup.sources"), s.list("runbook.maintenance.backup-sources"),
                s.integer("runbook.backup.retention.daily"), s.integer("runbook.backup.retention.weekly"),
                s.flag("runbook.backup.retention.dry-run"), s.text("runbook.backup.incident-priority").trim(),
                s.text("runbook.backup.pg-dump").trim(), s.text("runbook.backup.pg-restore").trim(),
                Path.of(s.text("runbook.backup.tmp-dir").trim()), s.optional("runbook.backup.drill.report-to"),
                Sunday.from(s));
    }
}
