package com.runbook.engine.backup;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.client.AWS2S3ClientFactory;
import com.runbook.engine.definition.Durations;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the beans {@code backups} (dump, upload, verify, retention), {@code restoreDrill} and {@code maintenance}
 * from the {@code runbook.backup.*} and {@code runbook.maintenance.*} settings, and the configured object store as
 * {@code objectStore} (the monthly report keeps its copy there too).
 */
public class BackupModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(BackupModule.class);
    private final java.util.function.Supplier<List<com.runbook.engine.health.Watchdog.Endpoint>> watched;
    private S3Client s3;
    private ObjectStore store;

    /** {@code watched}: the endpoints the health watchdog checks, which the maintenance window reports on. */
    public BackupModule(java.util.function.Supplier<List<com.runbook.engine.health.Watchdog.Endpoint>> watched) {
        this.watched = watched;
    }

    /** Where backups and reports are filed (null before start). */
    public ObjectStore store() {
        return store;
    }

    @Override
    public void start(Parts parts) throws Exception {
        Path tmp = Path.of(parts.settings().get("runbook.backup.tmp-dir", parts.dataDir().resolve("tmp").toString()));
        store = store(parts);
        Map<String, BackupSource> sources = new LinkedHashMap<>();
        List<String> nightly = list(parts.settings().get("runbook.backup.sources", ""));
        List<String> maintenanceSources = list(parts.settings().get("runbook.maintenance.backup-sources", ""));
        for (List<String> names : List.of(nightly, maintenanceSources)) {
            for (String name : names) {
                sources.putIfAbsent(name, source(parts, name, tmp));
            }
        }
        BackupService backups = new BackupService(sources, nightly, store, new BackupRecords(parts.db()), parts::incidents,
                parts.settings().get("runbook.backup.incident-priority", "P2"),
                Integer.parseInt(parts.settings().get("runbook.backup.retention.daily", "7")),
                Integer.parseInt(parts.settings().get("runbook.backup.retention.weekly", "4")),
                Boolean.parseBoolean(parts.settings().get("runbook.backup.retention.dry-run", "false")), Clock.systemUTC());
        parts.camel().getRegistry().bind("backups", backups);
        MarketDataPurge purge = new MarketDataPurge(() -> dataSource(parts, parts.settings().get("runbook.maintenance.purge.database", "trading")),
                parts.settings().get("runbook.maintenance.purge.table", "market_bars"),
                parts.settings().get("runbook.maintenance.purge.time-column", "bar_time"),
                parts.settings().get("runbook.maintenance.purge.key-column", "id"),
                Durations.parse(parts.settings().get("runbook.maintenance.purge.older-than", "30d")),
                Integer.parseInt(parts.settings().get("runbook.maintenance.purge.batch-size", "5000")), Clock.systemUTC());
        parts.camel().getRegistry().bind("restoreDrill", new RestoreDrill(backups, tmp,
                parts.settings().get("runbook.backup.pg-restore", "pg_restore"), parts::notifier, parts::incidents,
                parts.settings().get("runbook.backup.drill.report-to", ""), parts.settings().get("runbook.backup.incident-priority", "P2")));
        parts.camel().getRegistry().bind("maintenance", new Maintenance(backups, maintenanceSources, purge, watched, parts::notifier, parts::incidents, parts.settings().get("runbook.maintenance.report-to", ""),
                parts.settings().get("runbook.maintenance.incident-priority", "P2"), Clock.systemUTC()));
        parts.camel().getRegistry().bind("objectStore", ObjectStore.class, store);
        LOG.info("Backups: sources {} to {}", sources.keySet(), store.describe());
    }

    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private ObjectStore store(Parts parts) {
        String kind = parts.settings().get("runbook.backup.store", "local");
        switch (kind) {
            case "local":
                return new LocalObjectStore(Path.of(parts.settings().get("runbook.backup.local.root",
                        parts.dataDir().resolve("objects").toString())));
            case "s3":
                String bucket = parts.settings().get("runbook.backup.s3.bucket", "");
                if (bucket.isBlank()) {
                    throw new IllegalArgumentException("runbook.backup.store=s3 needs runbook.backup.s3.bucket (env BACKUP_S3_BUCKET)");
                }
                s3 = s3Client(parts);
                return new S3ObjectStore(s3, bucket, Integer.parseInt(parts.settings().get("runbook.backup.s3.part-size", "16777216")),
                        Integer.parseInt(parts.settings().get("runbook.backup.s3.upload-threads", "2")),
                        parts.settings().get("runbook.backup.s3.sse", ""), parts.settings().get("runbook.backup.s3.sse-kms-key-id", ""));
            default:
                throw new IllegalArgumentException("runbook.backup.store must be local or s3, was '" + kind + "'");
        }
    }

    /** The AWS SDK client camel-aws2-s3 builds from its configuration: the same endpoint and credential handling. */
    static S3Client s3Client(Parts parts) {
        AWS2S3Configuration config = new AWS2S3Configuration();
        config.setRegion(parts.settings().get("runbook.backup.s3.region", "us-east-1"));
        String endpoint = parts.settings().get("runbook.backup.s3.endpoint", "");
        if (!endpoint.isBlank()) {
            config.setOverrideEndpoint(true);
            config.setUriEndpointOverride(endpoint);
        }
        config.setForcePathStyle(Boolean.parseBoolean(parts.settings().get("runbook.backup.s3.path-style", "false")));
        String accessKey = parts.settings().get("runbook.backup.s3.access-key", "");
        if (accessKey.isBlank()) {
            config.setUseDefaultCredentialsProvider(true);
        } else {
            config.setAccessKey(accessKey);
            config.setSecretKey(parts.settings().get("runbook.backup.s3.secret-key", ""));
        }
        return AWS2S3ClientFactory.getS3Client(config);
    }

    private static BackupSource source(Parts parts, String name, Path tmp) {
        String p = "runbook.backup.source." + name + ".";
        String type = parts.settings().get(p + "type", "");
        String pgDump = parts.settings().get("runbook.backup.pg-dump", "pg_dump");
        switch (type) {
            case "engine": {
                String url = parts.settings().get("runbook.db.url", "");
                return url.startsWith("jdbc:h2:") ? new H2Source(name, parts.db(), tmp)
                        : new PostgresSource(name, url, parts.settings().get("runbook.db.user", ""),
                        parts.settings().get("runbook.db.password", ""), pgDump, tmp);
            }
            case "postgres":
                return new PostgresSource(name, required(parts, p + "url"), parts.settings().get(p + "user", ""),
                        parts.settings().get(p + "password", ""), pgDump, tmp);
            case "h2": {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL(required(parts, p + "url"));
                ds.setUser(parts.settings().get(p + "user", "sa"));
                ds.setPassword(parts.settings().get(p + "password", ""));
                return new H2Source(name, ds, tmp);
            }
            case "files":
                return new FilesSource(name, parts.base(), list(parts.settings().get(p + "folders", "routes,schedules")));
            case "tables":
                return new TableExportSource(name, () -> dataSource(parts, parts.settings().get(p + "database", "trading")),
                        list(required(parts, p + "tables")));
            case "command":
                return new CommandSource(name, List.of(required(parts, p + "command").trim().split("\\s+")),
                        parts.settings().get(p + "extension", "bin"), tmp);
            default:
                throw new IllegalArgumentException(p + "type must be engine, postgres, h2, files, tables or command, was '" + type + "'");
        }
    }

    /** "engine" (the engine's own database) or the name of a DataSource bean (e.g. "trading"), looked up when used. */
    static DataSource dataSource(Parts parts, String name) {
        if ("engine".equals(name)) {
            return parts.db();
        }
        DataSource ds = parts.camel().getRegistry().lookupByNameAndType(name, DataSource.class);
        if (ds == null) {
            throw new IllegalStateException("no data source bean '" + name + "'");
        }
        return ds;
    }

    private static String required(Parts parts, String key) {
        String v = parts.settings().get(key, "");
        if (v.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return v;
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
    }
}
