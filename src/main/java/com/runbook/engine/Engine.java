package com.runbook.engine;

import com.runbook.engine.alert.AlertModule;
import com.runbook.engine.backup.BackupModule;
import com.runbook.engine.dryrun.DryRunModule;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.dns.DnsModule;
import com.runbook.engine.health.HealthModule;
import com.runbook.engine.http.ConsoleModule;
import com.runbook.engine.http.HttpDoors;
import com.runbook.engine.access.AccessModule;
import com.runbook.engine.access.ApiTokens;
import com.runbook.engine.audit.AuditTrail;
import com.runbook.engine.audit.FileVersions;
import com.runbook.engine.core.Identities;
import com.runbook.engine.incident.IncidentModule;
import com.runbook.engine.incident.IncidentService;
import com.runbook.engine.incident.MaintenanceWindows;
import com.runbook.engine.incident.PriorityPolicy;
import com.runbook.engine.incident.RefusedFilesAlarm;
import com.runbook.engine.audit.AuditModule;
import com.runbook.engine.notify.NotifyModule;
import com.runbook.engine.notify.Outbox;
import com.runbook.engine.notify.email.EmailChannel;
import com.runbook.engine.notify.email.EmailSettings;
import com.runbook.engine.notify.pubsub.PubSubChannel;
import com.runbook.engine.notify.pubsub.PubSubSettings;
import com.runbook.engine.notify.telegram.TelegramChannel;
import com.runbook.engine.notify.telegram.TelegramSettings;
import com.runbook.engine.observe.MetricsModule;
import com.runbook.engine.observe.StoryModule;
import com.runbook.engine.report.ReportModule;
import com.runbook.engine.run.RunHistory;
import com.runbook.engine.settings.Settings;
import com.runbook.engine.store.GroupCommit;
import com.runbook.engine.trading.TradingModule;

import com.runbook.engine.http.ApiRoutes;
import com.runbook.engine.definition.FileWatcher;
import com.runbook.engine.definition.ReloadOutcome;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.run.JobRunner;
import com.runbook.engine.run.NodeIdentity;
import com.runbook.engine.run.RunStore;
import com.runbook.engine.definition.Schedule;
import com.runbook.engine.schedule.ScheduleManager;
import com.runbook.engine.schedule.JobView;
import com.runbook.engine.schedule.SchedulesModule;
import com.runbook.engine.store.Database;
import com.runbook.engine.store.H2Housekeeping;
import com.runbook.engine.http.FrontDoor;
import io.vertx.core.Vertx;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The running engine: Camel Main with the HTTP API, the engine database, the runbooks from {@code routes/} and
 * {@code schedules/} under a base folder, and the watcher that reloads them.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Path base;
    private final Main main = new Main();
    private CamelContext context;
    private HikariDataSource dataSource;
    private H2Housekeeping housekeeping;
    private RunStore runs;
    private JobRunner runner;
    private ScheduleManager scheduler;
    private Runbooks runbooks;
    private FileWatcher watcher;
    private List<EngineModule> modules = List.of();
    private GroupCommit writes;
    private Settings settings;
    private EngineSettings own;
    private IncidentService incidents;
    private IncidentRaiser raiser;
    private Outbox outbox;
    private String apiToken;
    private final ApiTokens identities = new ApiTokens(() -> apiToken);
    private final FrontDoor door = new FrontDoor(() -> Settings.of(main.getCamelContext()), this::answersWhileNotReady);
    private Vertx vertx;
    private int httpPort;

    private Engine(Path base) {
        this.base = base.toAbsolutePath().normalize();
    }

    /** Starts an engine on the runbooks under {@code base}; {@code overrides} win over every other setting. */
    public static Engine start(Path base, Map<String, String> overrides) throws Exception {
        return start(base, overrides, Map.of());
    }

    /**
     * Like {@link #start(Path, Map)}, binding {@code beans} into the registry after the modules started (so they
     * replace a module's bean of the same name) and before the runbooks load. Tests use it.
     */
    public static Engine start(Path base, Map<String, String> overrides, Map<String, Object> beans) throws Exception {
        Engine engine = new Engine(base);
        engine.doStart(overrides, beans);
        return engine;
    }

    private void doStart(Map<String, String> overrides, Map<String, Object> beans) throws Exception {
        long t0 = System.nanoTime();
        overrides.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new ApiRoutes(new ApiRoutes.Backend() {
            @Override
            public List<JobView> jobs() {
                return Engine.this.jobs();
            }

            @Override
            public RunLog runs() {
                return runs;
            }

            @Override
            public RunStarter starter() {
                return runner;
            }

            @Override
            public Runbooks runbooks() {
                return runbooks;
            }

            @Override
            public boolean isReady() {
                return Engine.this.isReady();
            }

            @Override
            public Identities identities() {
                return identities;
            }
        }));
        // platform-http's server is created through this Vert.x: the front door answers 503 until ready() below
        vertx = Vertx.vertx();
        main.bind("runbookVertx", door.wrap(vertx));
        main.start();
        context = main.getCamelContext();
        settings = Settings.of(context);
        try {
            Settings.requireKnown(context, overrides, Runbooks.placeholderKeys(base));
            own = EngineSettings.from(settings);
            httpPort = requireHttpListening(context, door);
        } catch (RuntimeException e) {
            main.stop();
            closeVertx();
            throw e;
        }
        dropHttpSummaryListener(context);
        Path dataDir = own.dataDir();
        Files.createDirectories(dataDir);
        apiToken = resolveToken(dataDir);
        try {
            dataSource = Database.open(own.dbUrl(), own.dbUser(), own.dbPassword(), own.dbPoolSize());
        } catch (RuntimeException e) {   // down, wrong address or credentials: one line (the URL may hold secrets)
            LOG.debug("The engine database did not open", e);
            close();
            String why = databaseMessage(e);
            throw new CannotStart("cannot open the engine database (" + Settings.named("runbook.db.url") + "): " + why
                    + (why.contains("already in use") ? " (is another engine running on the data folder "
                    + own.dataDir() + ", " + Settings.named("runbook.data-dir") + "?)" : ""), e);
        }
        housekeeping = H2Housekeeping.startIfNeeded(dataSource, own.h2Housekeeping()).orElse(null);
        if (Database.isH2(dataSource)) {
            LOG.warn("The engine database is the embedded H2: fine for trying the engine, not for production (a killed"
                    + " process can lose its last committed writes). Production: RUNBOOK_DB_URL=jdbc:postgresql://...");
        }
        context.getRegistry().bind("dataSource", dataSource);
        Clock clock = Clock.systemUTC();
        // the outbox's and the alert intake's small transactions share commits (H2: one fsync for many)
        writes = new GroupCommit(dataSource, "runbook-outbox-writes", 1);
        AuditTrail audit = new AuditTrail(dataSource);
        runs = new RunStore(dataSource, audit);
        runner = new JobRunner(context, runs, nodeName(), job -> runbooks.jobs().containsKey(job));
        scheduler = new ScheduleManager(settings, context, () -> raiser, dataSource, runner);
        runbooks = new Runbooks(base, context, scheduler);
        outbox = new Outbox(dataSource);
        MaintenanceWindows windows = new MaintenanceWindows(runbooks::schedules);
        incidents = new IncidentService(dataSource, () -> outbox, PriorityPolicy.from(settings), windows, clock, audit);
        // a test may stand in for the incident service or the outbox (beans "incidents", "notifier")
        raiser = beans.get("incidents") instanceof IncidentRaiser r ? r : incidents;
        Notifier notifier = beans.get("notifier") instanceof Notifier n ? n : outbox;
        Parts parts = new Parts(context, settings, dataSource, writes, runbooks, runner, raiser, notifier,
                new HttpDoors(context, identities), door,
                MetricsModule.registry(context), base, dataDir, () -> apiToken, clock,
                audit);
        DryRunModule dryRun = new DryRunModule();
        runner.addScope(dryRun.scope());
        dryRun.start(parts);   // before the modules: its guards must see every bean and producer they create
        NotifyModule notify = new NotifyModule(outbox, new EmailChannel(EmailSettings.from(settings)),
                new TelegramChannel(TelegramSettings.from(settings)), new PubSubChannel(PubSubSettings.from(settings)));
        HealthModule health = new HealthModule();
        ReportModule report = new ReportModule();
        BackupModule backup = new BackupModule(health::endpoints, report::trading);
        report.fileCopiesIn(backup::store);
        modules = List.of(new AccessModule(identities), new StoryModule(), new MetricsModule(runner), new SchedulesModule(scheduler, runner), new RunHistory(), notify,
                new IncidentModule(incidents, windows, notify), new AlertModule(incidents), new RefusedFilesAlarm(),
                health, backup, new AuditModule(backup::store), report, new TradingModule(runs), new DnsModule(),
                new ConsoleModule());
        for (int i = 0; i < modules.size(); i++) {
            try {
                modules.get(i).start(parts);
            } catch (IllegalArgumentException e) {   // a setting a person fixes: its message says which and how
                LOG.debug("Module {} refused its settings", modules.get(i).getClass().getSimpleName(), e);
                modules = modules.subList(0, i);
                try {
                    close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
                throw new CannotStart(e.getMessage(), e);
            }
        }
        runner.skipWhenIdle("health-watchdog", health.watchdog()::hasWork);
        beans.forEach((name, bean) -> {
            // Camel's registry keys beans by name AND type: without the unbind a test's recorder would sit beside
            // the module's bean of another type, and a lookup by name could answer either
            context.getRegistry().unbind(name);
            context.getRegistry().bind(name, bean);
        });
        // every file applied or refused (start and reloads) leaves its audit entry with its SHA-256 and diff
        runbooks.addListener(new FileVersions(dataSource, audit, base));
        List<ReloadOutcome> refused = runbooks.loadAll();
        scheduler.start();
        watcher = new FileWatcher(runbooks);
        // every route, the alert routing and the maintenance windows are in force: requests are accepted from now on
        door.ready();
        for (JobView job : jobs()) {
            LOG.info(jobLine(job));
        }
        LOG.info("Runbook Engine ready in {} ms: console and API at {}, {} (node {}, data {}, {})",
                (System.nanoTime() - t0) / 1_000_000, consoleUrl(), tokenSource(dataDir), nodeName(), dataDir,
                StartRuntime.describe());
        if (refused.isEmpty()) {
            LOG.info(runbooks.summary());
        } else {
            LOG.error(runbooks.summary());   // the last line of the start: the refused files
        }
    }

    /**
     * Vert.x binds the HTTP port asynchronously and Camel 4.17 goes on starting when the bind fails: an engine on a
     * port another process holds would log "ready" while every request reached the other process. Refuse instead.
     */
    static int requireHttpListening(CamelContext context, FrontDoor door) {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        // the front door kept the listen failure from Camel; the server object also says whether the bind happened
        if (server != null && (door.listenFailure() != null
                || !(door.server() instanceof TCPServerBase tcp && tcp.isListening()))) {
            throw new CannotStart("cannot listen on " + server.getHost() + ":" + server.getConfigurationPort()
                    + " (camel.server.host/port, env RUNBOOK_HOST/RUNBOOK_PORT): the port is in use or not allowed");
        }
        return server == null ? -1 : door.server().actualPort();
    }

    /**
     * The engine refused to start for a reason a person fixes (a taken port): its message is the whole story, one
     * line, so {@code runbook run} prints it without a stack trace and exits 1.
     */
    public static final class CannotStart extends IllegalStateException {
        CannotStart(String message) {
            super(message);
        }

        CannotStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The driver's own words (the first SQLException of the chain), else the deepest cause's. */
    private static String databaseMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException && t.getMessage() != null) {
                return t.getMessage();
            }
            root = t;
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** One line per job at start: its file, and its schedule and next fire time, or that it runs only when asked. */
    static String jobLine(JobView job) {
        String head = "Job " + job.id() + " from " + job.file() + ": ";
        if (job.schedule() == null) {
            return head + "manual (no schedule; runs when triggered)";
        }
        return head + "schedule " + job.schedule().expression() + ", next fire "
                + (job.nextFireUtc() == null ? "none (disabled or never due)" : job.nextFireUtc());
    }

    /** The console's address as a person on this machine opens it (a wildcard host is reached as localhost). */
    private String consoleUrl() {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        String host = server == null ? "localhost" : server.getHost();
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        }
        return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + httpPort + "/";
    }

    /** Where the API token (the console's login) comes from, for the ready line. */
    private String tokenSource(Path dataDir) {
        return own.apiToken().isPresent() ? "API token from the setting " + Settings.named("runbook.api.token")
                : "API token in " + dataDir.resolve("api-token");
    }

    /** While not ready, only /health is answered by its route (which then says DOWN), once that route runs. */
    private boolean answersWhileNotReady(String path) {
        CamelContext c = main.getCamelContext();
        return "/health".equals(path) && c != null && c.getRouteController().getRouteStatus("api-health") != null
                && c.getRouteController().getRouteStatus("api-health").isStarted();
    }

    /**
     * platform-http-main (Camel 4.17) keeps a startup listener that, every time routes start after the context did,
     * logs the HTTP endpoint summary and adds one more event notifier that is never removed. Each job route added at
     * start or on reload therefore made every later route event slower: 10,000 job routes took minutes to add
     * (quadratic). The summary was logged at start already; the listener and its notifiers are dropped.
     */
    static void dropHttpSummaryListener(CamelContext context) {
        String owner = "org.apache.camel.component.platform.http.main.MainHttpServerUtil";
        try {
            java.lang.reflect.Method listeners = org.apache.camel.impl.engine.AbstractCamelContext.class
                    .getDeclaredMethod("getStartupListeners");
            listeners.setAccessible(true);
            ((List<?>) listeners.invoke(context)).removeIf(l -> l.getClass().getName().startsWith(owner));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Could not drop platform-http's startup summary listener; adding many routes will be slow", e);
        }
        context.getManagementStrategy().getEventNotifiers().stream()
                .filter(n -> n.getClass().getName().startsWith(owner)).toList()
                .forEach(context.getManagementStrategy()::removeEventNotifier);
    }

    /** The API token: {@code runbook.api.token} (env RUNBOOK_API_TOKEN), else one generated into the data folder. */
    private String resolveToken(Path dataDir) throws IOException {
        if (own.apiToken().isPresent()) {
            return own.apiToken().get();
        }
        Path file = dataDir.resolve("api-token");
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, HexFormat.of().formatHex(random));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            LOG.warn("No RUNBOOK_API_TOKEN set: generated an API token in {}", file);
        }
        return Files.readString(file).trim();
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return httpPort;
    }

    private String nodeName() {
        return NodeIdentity.resolve(own.node().orElse(""), dataDir());
    }

    /** Every job with its file, schedule, next fire time (UTC and the schedule's zone) and last run status. */
    public List<JobView> jobs() {
        return JobView.list(runbooks, scheduler, runs.lastStatusByJob());
    }

    public CamelContext context() {
        return context;
    }

    public RunStore runs() {
        return runs;
    }

    public JobRunner runner() {
        return runner;
    }

    public Runbooks runbooks() {
        return runbooks;
    }

    public ScheduleManager scheduler() {
        return scheduler;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /** The incident service. */
    public IncidentRaiser incidents() {
        return raiser;
    }

    /** The outbox. */
    public Notifier notifier() {
        return outbox;
    }

    public Path base() {
        return base;
    }

    /** The data folder (default ./data). */
    public Path dataDir() {
        return own.dataDir();
    }

    public String apiToken() {
        return apiToken;
    }

    public boolean isReady() {
        return door.phase() == FrontDoor.Phase.READY;
    }

    /** The HTTP front door (readiness, timeouts, connection cap). */
    public FrontDoor door() {
        return door;
    }

    @Override
    public void close() throws Exception {
        long t0 = System.nanoTime();
        boolean wasReady = isReady();
        // from the first moment of shutdown, requests get 503 (retried by their senders, here or on another node)
        door.stopping();
        if (watcher != null) {
            watcher.close();
        }
        if (scheduler != null) {
            scheduler.shutdown();
        }
        if (runner != null) {
            runner.shutdown();
        }
        for (int i = modules.size() - 1; i >= 0; i--) {
            try {
                modules.get(i).stop();
            } catch (Exception e) {
                LOG.warn("Module {} did not stop cleanly", modules.get(i).getClass().getSimpleName(), e);
            }
        }
        main.stop();
        if (writes != null) {
            writes.close();
        }
        if (runs != null) {
            runs.close();
        }
        if (housekeeping != null) {
            housekeeping.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        closeVertx();
        if (wasReady) {
            LOG.info("Runbook Engine stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private void closeVertx() {
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Vert.x did not stop cleanly", e);
            }
        }
    }
}
