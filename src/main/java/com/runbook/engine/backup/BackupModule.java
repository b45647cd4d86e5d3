package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.core.EngineModule;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.client.AWS2S3ClientFactory;
import com.runbook.engine.health.Watchdog;
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
    private S3Client s3;

    @Override
    public int order() {
        return 300;
    }

    @Override
    public void start(Engine engine) throws Exception {
        Path tmp = Path.of(engine.property("runbook.backup.tmp-dir", engine.dataDir().resolve("tmp").toString()));
        ObjectStore store = store(engine);
        Map<String, BackupSource> sources = new LinkedHashMap<>();
        List<String> nightly = list(engine.property("runbook.backup.sources", ""));
        List<String> maintenanceSources = list(engine.property("runbook.maintenance.backup-sources", ""));
        for (List<String> names : List.of(nightly, maintenanceSources)) {
            for (String name : names) {
                sources.putIfAbsent(name, source(engine, name, tmp));
            }
        }
        BackupService backups = new BackupService(sources, nightly, store, new BackupRecords(engine.dataSource()), engine::incidents,
                engine.property("runbook.backup.incident-priority", "P2"),
                Integer.parseInt(engine.property("runbook.backup.retention.daily", "7")),
                Integer.parseInt(engine.property("runbook.backup.retention.weekly", "4")),
                Boolean.parseBoolean(engine.property("runbook.backup.retention.dry-run", "false")), Clock.systemUTC());
        engine.context().getRegistry().bind("backups", backups);
        MarketDataPurge purge = new MarketDataPurge(() -> dataSource(engine, engine.property("runbook.maintenance.purge.database", "trading")),
                engine.property("runbook.maintenance.purge.table", "market_bars"),
                engine.property("runbook.maintenance.purge.time-column", "bar_time"),
                engine.property("runbook.maintenance.purge.key-column", "id"),
                Durations.parse(engine.property("runbook.maintenance.purge.older-than", "30d")),
                Integer.parseInt(engine.property("runbook.maintenance.purge.batch-size", "5000")), Clock.systemUTC());
        engine.context().getRegistry().bind("restoreDrill", new RestoreDrill(backups, tmp,
                engine.property("runbook.backup.pg-restore", "pg_restore"), engine::notifier, engine::incidents,
                engine.property("runbook.backup.drill.report-to", ""), engine.property("runbook.backup.incident-priority", "P2")));
        engine.context().getRegistry().bind("maintenance", new Maintenance(backups, maintenanceSources, purge, () -> {
            Watchdog w = engine.context().getRegistry().lookupByNameAndType("watchdog", Watchdog.class);
            return w == null ? List.of() : w.endpoints();
        }, engine::notifier, engine::incidents, engine.property("runbook.maintenance.report-to", ""),
                engine.property("runbook.maintenance.incident-priority", "P2"), Clock.systemUTC()));
        engine.context().getRegistry().bind("objectStore", ObjectStore.class, store);
        LOG.info("Backups: sources {} to {}", sources.keySet(), store.describe());
    }

    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private ObjectStore store(Engine engine) {
        String kind = engine.property("runbook.backup.store", "local");
        switch (kind) {
            case "local":
                return new LocalObjectStore(Path.of(engine.property("runbook.backup.local.root",
                        engine.dataDir().resolve("objects").toString())));
            case "s3":
                String bucket = engine.property("runbook.backup.s3.bucket", "");
                if (bucket.isBlank()) {
                    throw new IllegalArgumentException("runbook.backup.store=s3 needs runbook.backup.s3.bucket (env BACKUP_S3_BUCKET)");
                }
                s3 = s3Client(engine);
                return new S3ObjectStore(s3, bucket, Integer.parseInt(engine.property("runbook.backup.s3.part-size", "16777216")),
                        Integer.parseInt(engine.property("runbook.backup.s3.upload-threads", "2")),
                        engine.property("runbook.backup.s3.sse", ""), engine.property("runbook.backup.s3.sse-kms-key-id", ""));
            default:
                throw new IllegalArgumentException("runbook.backup.store must be local or s3, was '" + kind + "'");
        }
    }

    /** The AWS SDK client camel-aws2-s3 builds from its configuration: the same endpoint and credential handling. */
    static S3Client s3Client(Engine engine) {
        AWS2S3Configuration config = new AWS2S3Configuration();
        config.setRegion(engine.property("runbook.backup.s3.region", "us-east-1"));
        String endpoint = engine.property("runbook.backup.s3.endpoint", "");
        if (!endpoint.isBlank()) {
            config.setOverrideEndpoint(true);
            config.setUriEndpointOverride(endpoint);
        }
        config.setForcePathStyle(Boolean.parseBoolean(engine.property("runbook.backup.s3.path-style", "false")));
        String accessKey = engine.property("runbook.backup.s3.access-key", "");
        if (accessKey.isBlank()) {
            config.setUseDefaultCredentialsProvider(true);
        } else {
            config.setAccessKey(accessKey);
            config.setSecretKey(engine.property("runbook.backup.s3.secret-key", ""));
        }
        return AWS2S3ClientFactory.getS3Client(config);
    }

    private static BackupSource source(Engine engine, String name, Path tmp) {
        String p = "runbook.backup.source." + name + ".";
        String type = engine.property(p + "type", "");
        String pgDump = engine.property("runbook.backup.pg-dump", "pg_dump");
        switch (type) {
            case "engine": {
                String url = engine.property("runbook.db.url", "");
                return url.startsWith("jdbc:h2:") ? new H2Source(name, engine.dataSource(), tmp)
                        : new PostgresSource(name, url, engine.property("runbook.db.user", ""),
                        engine.property("runbook.db.password", ""), pgDump, tmp);
            }
            case "postgres":
                return new PostgresSource(name, required(engine, p + "url"), engine.property(p + "user", ""),
                        engine.property(p + "password", ""), pgDump, tmp);
            case "h2": {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL(required(engine, p + "url"));
                ds.setUser(engine.property(p + "user", "sa"));
                ds.setPassword(engine.property(p + "password", ""));
                return new H2Source(name, ds, tmp);
            }
            case "files":
                return new FilesSource(name, engine.base(), list(engine.property(p + "folders", "routes,schedules")));
            case "tables":
                return new TableExportSource(name, () -> dataSource(engine, engine.property(p + "database", "trading")),
                        list(required(engine, p + "tables")));
            case "command":
                return new CommandSource(name, List.of(required(engine, p + "command").trim().split("\\s+")),
                        engine.property(p + "extension", "bin"), tmp);
            default:
                throw new IllegalArgumentException(p + "type must be engine, postgres, h2, files, tables or command, was '" + type + "'");
        }
    }

    /** "engine" (the engine's own database) or the name of a DataSource bean (e.g. "trading"), looked up when used. */
    static DataSource dataSource(Engine engine, String name) {
        if ("engine".equals(name)) {
            return engine.dataSource();
        }
        DataSource ds = engine.context().getRegistry().lookupByNameAndType(name, DataSource.class);
        if (ds == null) {
            throw new IllegalStateException("no data source bean '" + name + "'");
        }
        return ds;
    }

    private static String required(Engine engine, String key) {
        String v = engine.property(key, "");
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
