package com.runbook.engine.backup;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.health.Watchdog;
import com.runbook.engine.settings.Settings;
import com.runbook.engine.store.Database;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.client.AWS2S3ClientFactory;
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
import java.util.function.Supplier;

/**
 * Binds the beans {@code backups} (dump, upload, verify, retention), {@code restoreDrill} and {@code maintenance}
 * from the {@code runbook.backup.*} and {@code runbook.maintenance.*} settings, and keeps the configured object store
 * (the monthly report files its copies there too). Where a source or the purge names a database, {@code engine} is
 * the engine's own and {@code trading} the trading database.
 */
public final class BackupModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(BackupModule.class);
    private final Supplier<List<Watchdog.Endpoint>> watched;
    private final Supplier<DataSource> trading;
    private S3Client s3;
    private ObjectStore store;

    /**
     * @param watched the endpoints the health watchdog checks, which the maintenance window reports on
     * @param trading the trading database (asked when a backup or purge uses it)
     */
    public BackupModule(Supplier<List<Watchdog.Endpoint>> watched, Supplier<DataSource> trading) {
        this.watched = watched;
        this.trading = trading;
    }

    /** Where backups and reports are filed (null before start). */
    public ObjectStore store() {
        return store;
    }

    @Override
    public void start(Parts parts) throws Exception {
        BackupSettings settings = BackupSettings.from(parts.settings());
        Map<String, Supplier<DataSource>> databases = Map.of("engine", parts::db, "trading", trading);
        Path tmp = settings.tmpDir();
        store = store(settings);
        Map<String, BackupSource> sources = new LinkedHashMap<>();
        for (List<String> names : List.of(settings.sources(), settings.maintenanceSources())) {
            for (String name : names) {
                sources.putIfAbsent(name, source(parts, settings, databases, name, tmp));
            }
        }
        BackupService backups = new BackupService(sources, settings.sources(), store, new BackupRecords(parts.db()),
                parts::incidents, settings.incidentPriority(), settings.keepDaily(), settings.keepWeekly(),
                settings.retentionDryRun(), Clock.systemUTC());
        parts.camel().getRegistry().bind("backups", backups);
        BackupSettings.Sunday sunday = settings.maintenance();
        Supplier<DataSource> purged = database(databases, sunday.purgeDatabase(), "runbook.maintenance.purge.database");
        MarketDataPurge purge = new MarketDataPurge(purged, sunday.purgeTable(), sunday.purgeTimeColumn(),
                sunday.purgeKeyColumn(), sunday.purgeOlderThan(), sunday.purgeBatchSize(), Clock.systemUTC());
        parts.camel().getRegistry().bind("restoreDrill", new RestoreDrill(backups, tmp, settings.pgRestore(),
                parts::notifier, parts::incidents, settings.drillReportTo().orElse(null), settings.incidentPriority()));
        parts.camel().getRegistry().bind("maintenance", new Maintenance(backups, settings.maintenanceSources(), purge,
                watched, parts::notifier, parts::incidents, sunday.reportTo().orElse(null), sunday.incidentPriority(),
                Clock.systemUTC()));
        LOG.info("Backups: sources {} to {}", sources.keySet(), store.describe());
    }

    private ObjectStore store(BackupSettings settings) {
        switch (settings.store()) {
            case LOCAL:
                return new LocalObjectStore(settings.localRoot());
            case S3:
                BackupSettings.S3 s = settings.s3();
                if (s.bucket().isBlank()) {
                    throw new IllegalArgumentException("runbook.backup.store=s3 needs runbook.backup.s3.bucket (env BACKUP_S3_BUCKET)");
                }
                s3 = s3Client(s);
                return new S3ObjectStore(s3, s.bucket(), s.partSize(), s.uploadThreads(), s.sse(), s.kmsKeyId());
            default:
                throw new IllegalStateException(settings.store().name());
        }
    }

    /** The AWS SDK client camel-aws2-s3 builds from its configuration: the same endpoint and credential handling. */
    private static S3Client s3Client(BackupSettings.S3 s) {
        AWS2S3Configuration config = new AWS2S3Configuration();
        config.setRegion(s.region());
        s.endpoint().ifPresent(endpoint -> {
            config.setOverrideEndpoint(true);
            config.setUriEndpointOverride(endpoint);
        });
        config.setForcePathStyle(s.pathStyle());
        if (s.accessKey().isEmpty()) {
            config.setUseDefaultCredentialsProvider(true);
        } else {
            config.setAccessKey(s.accessKey().get());
            config.setSecretKey(s.secretKey());
        }
        return AWS2S3ClientFactory.getS3Client(config);
    }

    /**
     * The source {@code name} from its keys {@code runbook.backup.source.<name>.*} (a family of keys per configured
     * name: type, url, user, password, folders, database, tables, command, extension).
     */
    private static BackupSource source(Parts parts, BackupSettings settings, Map<String, Supplier<DataSource>> databases,
                                       String name, Path tmp) {
        String p = "runbook.backup.source." + name + ".";
        Settings s = parts.settings();
        String type = s.optional(p + "type").orElse("");
        switch (type) {
            case "engine":
                return Database.isH2(parts.db()) ? new H2Source(name, parts.db(), tmp)
                        : new PostgresSource(name, s.text("runbook.db.url"), s.text("runbook.db.user"),
                        s.text("runbook.db.password"), settings.pgDump(), tmp);
            case "postgres":
                return new PostgresSource(name, required(s, p + "url"), s.optional(p + "user").orElse(""),
                        s.optional(p + "password").orElse(""), settings.pgDump(), tmp);
            case "h2": {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL(required(s, p + "url"));
                ds.setUser(s.optional(p + "user").orElse("sa"));
                ds.setPassword(s.optional(p + "password").orElse(""));
                return new H2Source(name, ds, tmp);
            }
            case "files":
                return new FilesSource(name, parts.base(), s.optional(p + "folders").map(BackupModule::list)
                        .orElse(List.of("routes", "schedules")));
            case "tables":
                return new TableExportSource(name, database(databases, s.optional(p + "database").orElse("trading"),
                        p + "database"), list(required(s, p + "tables")));
            case "command":
                return new CommandSource(name, List.of(required(s, p + "command").split("\\s+")),
                        s.optional(p + "extension").orElse("bin"), tmp);
            default:
                throw new IllegalArgumentException(p + "type must be engine, postgres, h2, files, tables or command, was '" + type + "'");
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** The database a setting names: {@code engine} or {@code trading}. */
    private static Supplier<DataSource> database(Map<String, Supplier<DataSource>> databases, String name, String key) {
        Supplier<DataSource> ds = databases.get(name.trim());
        if (ds == null) {
            throw new IllegalArgumentException(key + " must be engine or trading, was '" + name + "'");
        }
        return ds;
    }

    private static String required(Settings s, String key) {
        return s.optional(key).orElseThrow(() -> new IllegalArgumentException(Settings.named(key) + " is required"));
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
    }
}
