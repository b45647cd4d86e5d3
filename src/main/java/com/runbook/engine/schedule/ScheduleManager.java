package com.runbook.engine.schedule;

import com.runbook.engine.definition.Durations;
import com.runbook.engine.definition.Schedule;

import com.runbook.engine.settings.Settings;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.run.JobRunner;
import org.apache.camel.spi.ShutdownStrategy;
import org.quartz.CronExpression;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.impl.triggers.CronTriggerImpl;
import org.quartz.impl.triggers.SimpleTriggerImpl;
import org.quartz.listeners.TriggerListenerSupport;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import java.util.function.Supplier;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns schedules into Quartz triggers and hands each fire to the {@link JobRunner}. One Quartz scheduler per
 * engine, no Camel route per schedule: a trigger per enabled schedule ({@code runbook/<schedule id>}) whose job calls
 * {@link #fire} directly. On a single node triggers live in memory (Quartz's RAM store, the default: the JDBC store
 * halved the fire throughput) and a fire missed while the engine was down is found from job_run and the node's last
 * check-in ({@link Downtime}) and handled by the schedule's misfire policy at the next start. With
 * {@code runbook.scheduler.store=jdbc} triggers live in the engine database (Quartz's tables, migration V3); with
 * {@code runbook.scheduler.clustered=true} (always jdbc) several nodes share them and each fire runs on one node.
 */
public class ScheduleManager implements Runbooks.ScheduleTarget {
    private static final String GROUP = "runbook";
    /** Job data of a one-off catch-up fire (RAM store): the due time it runs late for, or the one it makes up for. */
    private static final String LATE_DUE = "lateDue";
    private static final String MISSED_DUE = "missedDue";
    /**
     * Trigger data: how many milliseconds before each due time the trigger fires. During this lead the run's row and
     * its overlap lock are committed; {@link JobRunner} then calls the route at the due time itself, so a burst of
     * fires is as punctual as a thread wake-up instead of queueing behind the database (bench/scheduling.sh).
     */
    static final String LEAD = "lead";
    /** Camel's graceful stop after runs were ended unfinished at stop: their routes would not answer anyway. */
    private static final long ABANDONED_STOP_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleManager.class);

    private final JobRunner runner;
    private final CamelContext camel;
    private final Supplier<IncidentRaiser> incidents;
    private final JdbcTemplate jdbc;
    private final OverlapLock locks;
    private final boolean persistent;
    private final boolean clustered;
    private final Scheduler scheduler;
    private final String connectionProvider;
    /** The schedules in force, by schedule id; what a fire runs under. */
    private final Map<String, Schedule> current = new ConcurrentHashMap<>();
    /** Schedules loaded before {@link #start()}: applied in one batch. */
    private final Map<String, Schedule> pending = new LinkedHashMap<>();
    private final AtomicLong duplicatesRefused = new AtomicLong();
    private volatile boolean started;
    private volatile Instant startedAt = Instant.now();
    private final Duration misfireThreshold;
    /** runbook.scheduler.lead in milliseconds; 0 with the JDBC store, whose triggers fire at the due time. */
    private final long lead;
    /** RAM store only: fires missed while the engine was down, and this node's check-in. */
    private final Downtime downtime;
    private final long checkinMillis;
    private final String schedulerName;
    /** How long a stop waits for the runs going on before it ends them as failed (runbook.scheduler.shutdown-wait). */
    private final Duration shutdownWait;
    /**
     * Schedules (by id) whose catch-up fire after a restart (a fire made up or run late) has not claimed its run yet.
     * A regular fire of the same schedule waits for that claim: a restart ending within the lead of the next fire
     * fires both at once, and when the next fire's run was recorded first it held the overlap lock, so the make-up
     * was skipped as "still running" behind a run that had not even started.
     */
    private final Map<String, CountDownLatch> catchingUp = new ConcurrentHashMap<>();
    /** The longest a regular fire waits for its schedule's catch-up fire to claim its run. */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);
    /** overlap: skip schedules (by id) whose late fires were coalesced since their last run: the first such due time and how many. */
    private final Map<String, Coalesced> coalesced = new ConcurrentHashMap<>();
    private ScheduledExecutorService checkins;

    private record Coalesced(Instant first, Instant last, int count) {
    }

    /** The scheduler of the engine, with its settings read from {@code settings}. */
    public ScheduleManager(Settings settings, CamelContext camel, Supplier<IncidentRaiser> incidents, DataSource dataSource,
                           JobRunner runner) throws SchedulerException {
        this(SchedulerSettings.from(settings), camel, incidents, dataSource, runner);
    }

    ScheduleManager(SchedulerSettings settings, CamelContext camel, Supplier<IncidentRaiser> incidents,
                    DataSource dataSource, JobRunner runner) throws SchedulerException {
        this.camel = camel;
        this.incidents = incidents;
        this.runner = runner;
        this.jdbc = new JdbcTemplate(dataSource);
        this.clustered = settings.clustered();
        this.persistent = settings.persistent();
        this.locks = new OverlapLock(dataSource, runner.node(), clustered);
        this.connectionProvider = "runbook-" + runner.node() + "-" + System.identityHashCode(this);
        Properties p = new Properties();
        String name = settings.name();
        this.misfireThreshold = settings.misfireThreshold();
        long checkin = settings.checkinInterval().toMillis();
        this.checkinMillis = checkin;
        this.schedulerName = name;
        this.shutdownWait = settings.shutdownWait();
        this.downtime = persistent ? null : new Downtime(dataSource, name + "-ram", runner.node(), checkin);
        int threads = settings.threads();
        // a cron's fires are at least 1 s apart: a lead below half of that never reaches back past the previous fire
        this.lead = persistent ? 0 : Math.min(500, settings.lead().toMillis());
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", runner.node());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(threads));
        p.setProperty("org.quartz.threadPool.class", GrowingThreadPool.class.getName());   // threads as fires need them
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "runbook-schedule");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(misfireThreshold.toMillis()));
        if (persistent) {
            DBConnectionManager.getInstance().addConnectionProvider(connectionProvider, new ConnectionProvider() {
                @Override
                public Connection getConnection() throws SQLException {
                    return dataSource.getConnection();
                }

                @Override
                public void shutdown() {
                }

                @Override
                public void initialize() {
                }
            });
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            // reads blobs with getBytes: works on PostgreSQL and on H2 (V3 declares them bytea on both)
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", connectionProvider);
            p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(clustered));
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkin));
            p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        StdSchedulerFactory factory = new StdSchedulerFactory(p);
        this.scheduler = factory.getScheduler();
        // Quartz keeps schedulers in a JVM-wide map by name; nodes of one cluster must share the name, and tests run
        // two nodes in one JVM, so each engine keeps its scheduler to itself.
        SchedulerRepository.getInstance().remove(name);
        scheduler.setJobFactory((bundle, s) -> this::fire);
        scheduler.getListenerManager().addTriggerListener(new MisfireRecorder(), GroupMatcher.triggerGroupEquals(GROUP));
    }

    /** Fires a job regardless of overlap (overlap: skip is enforced by the database lock). */
    static class RunJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            throw new IllegalStateException("created by the ScheduleManager's job factory only");
        }
    }

    /** overlap: queue — Quartz holds the next fire until the previous run ended, across the cluster too. */
    @DisallowConcurrentExecution
    static class QueuedRunJob extends RunJob {
    }

    /** Applies the schedules loaded so far and starts firing. Called once, after the runbooks loaded. */
    public synchronized void start() throws SchedulerException {
        long t0 = System.nanoTime();
        // before the triggers' start time is taken: nothing fires until scheduler.start() anyway
        releaseLeftOvers();
        Map<String, String> stored = storedFingerprints();
        Map<JobDetail, Set<? extends Trigger>> changed = new HashMap<>();
        for (Schedule s : pending.values()) {
            if (!fingerprint(s).equals(stored.remove(s.id()))) {
                changed.put(jobDetail(s), Set.of(trigger(s, null, lead, !persistent)));
            }
        }
        // RAM store: cron triggers start strictly after now, so a catch-up run stands for a fire due right now too
        // (as the JDBC store's fire-once-now does) and a new trigger never fires for a due time already past. "Now" is
        // taken once the triggers are built, just before they are stored and the scheduler starts: taken before the
        // build, a due time in the first second could pass before the scheduler started (building 10,000 triggers
        // takes a while), and those first fires would run late, their rows written after their due time
        // (bench/scheduling.sh, cold_second 0). The catch-up looks for missed fires before the same instant.
        Instant now = Instant.now();
        Map<Schedule, Instant> missed = missedWhileDown(now);
        if (!persistent) {
            changed.values().forEach(triggers -> triggers.forEach(t -> startAfter(t, now)));
        }
        for (String gone : stored.keySet()) {
            scheduler.deleteJob(JobKey.jobKey(gone, GROUP));
        }
        if (!changed.isEmpty()) {
            scheduler.scheduleJobs(changed, true);
        }
        LOG.info("Scheduler: {} trigger(s), {} new or changed, {} removed ({} store{}, node {}) in {} ms", pending.size(),
                changed.size(), stored.size(), persistent ? "jdbc" : "ram", clustered ? ", clustered" : "", runner.node(),
                (System.nanoTime() - t0) / 1_000_000);
        pending.clear();
        startedAt = Instant.now();
        started = true;
        if (downtime != null) {
            missed.keySet().forEach(s -> catchingUp.put(s.id(), new CountDownLatch(1)));
        }
        scheduler.start();
        if (downtime != null) {
            try {
                catchUp(missed);
            } catch (SchedulerException | RuntimeException e) {
                missed.keySet().forEach(s -> caughtUp(s.id()));
                throw e;
            }
            downtime.checkIn();
        }
        if (downtime == null && !clustered) {
            return;
        }
        long every = Math.max(1000, checkinMillis);
        checkins = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runbook-schedule-checkin");
            t.setDaemon(true);
            return t;
        });
        checkins.scheduleWithFixedDelay(clustered ? this::releaseDeadNodes : this::checkIn, every, every,
                TimeUnit.MILLISECONDS);
    }

    /**
     * A run's lifecycle always ends, also when its process died (crash, SIGKILL, power loss): at start, the locks and
     * running rows left by a previous process are released and its runs marked failed. On a single node that is
     * everything from before this process (whatever node name wrote it); clustered, this node's own, and those of
     * other nodes once their check-in expired ({@link #releaseDeadNodes}, also every check-in interval).
     */
    private void releaseLeftOvers() {
        if (!clustered) {
            int runs = runner.abandonLeftRuns(null, "abandoned: the engine process that ran it ended without finishing"
                    + " it (crash, kill or power loss); found at the start of " + runner.node());
            int released = locks.releaseTakenBefore(runner.startedAt());
            if (runs + released > 0) {
                LOG.warn("At start: {} run(s) of a previous engine process were still marked running and are now failed;"
                        + " {} overlap lock(s) it held released", runs, released);
            }
            return;
        }
        int runs = runner.abandonLeftRuns(List.of(runner.node()), "abandoned: node " + runner.node()
                + " stopped without finishing it (crash, kill or power loss); found at its restart");
        int released = locks.releaseOwn();
        if (runs + released > 0) {
            LOG.warn("At start: {} run(s) of this node's previous process were still marked running and are now failed;"
                    + " {} overlap lock(s) it held released", runs, released);
        }
        releaseDeadNodes();
    }

    /** Clustered: the locks and running rows of nodes whose check-in expired are released, their runs failed. */
    private void releaseDeadNodes() {
        try {
            Set<String> dead = locks.deadNodes(schedulerName, System.currentTimeMillis());
            if (dead.isEmpty()) {
                return;
            }
            int runs = runner.abandonLeftRuns(dead, "abandoned: node " + String.join(", ", dead) + " stopped checking in"
                    + " (dead) while the run was going on; found by " + runner.node());
            int released = locks.releaseOf(dead);
            LOG.warn("Node(s) {} stopped checking in: {} of their run(s) marked failed, {} overlap lock(s) released",
                    dead, runs, released);
        } catch (RuntimeException e) {
            LOG.warn("Could not release the locks and runs of dead nodes", e);
        }
    }

    /**
     * RAM store at start: a cron trigger's first due time is strictly after {@code now} (Quartz's first cron fire may
     * be up to 1 s before the start time, which it rounds down to the second), an every trigger's is one period after.
     */
    private static void startAfter(Trigger t, Instant now) {
        if (t instanceof CronTriggerImpl cron) {
            cron.setStartTime(Date.from(now.plusSeconds(1)));
        } else if (t instanceof SimpleTriggerImpl every) {
            every.setStartTime(Date.from(now.plusMillis(every.getRepeatInterval() - t.getJobDataMap().getLong(LEAD))));
        }
    }

    /** RAM store: the first fire of each schedule that was due while the engine was down (none at the first start). */
    private Map<Schedule, Instant> missedWhileDown(Instant now) {
        Map<Schedule, Instant> missed = new LinkedHashMap<>();
        if (downtime == null) {
            return missed;
        }
        Downtime.Seen lastSeen = downtime.lastSeen();
        if (lastSeen == null) {
            LOG.info("Catch-up: no engine checked in on this database before: a first start, no fire was missed");
            return missed;
        }
        Map<String, Instant> lastDue = downtime.lastDue();
        for (Schedule s : pending.values()) {
            Instant due = Downtime.firstMissed(s, lastSeen.at(), lastDue.get(s.id()), now);
            if (due != null) {
                missed.put(s, due);
            }
        }
        LOG.info("Catch-up: the engine was last seen up at {} (node {}, down {} s); {} schedule(s) missed a fire",
                lastSeen.at(), lastSeen.node(), Duration.between(lastSeen.at(), now).toSeconds(), missed.size());
        return missed;
    }

    /**
     * RAM store: what Quartz's JDBC store does with a trigger whose fire passed while the engine was down. Within
     * the misfire threshold it fires late; beyond it, misfire: fire-once-now runs it once now and skip records it.
     * Each is logged, one line per schedule.
     */
    private void catchUp(Map<Schedule, Instant> missed) throws SchedulerException {
        Instant now = Instant.now();
        for (Map.Entry<Schedule, Instant> e : missed.entrySet()) {
            Schedule s = e.getKey();
            JobDataMap data = new JobDataMap();
            if (!e.getValue().plus(misfireThreshold).isBefore(now)) {
                LOG.info("{}: fire due {} missed while down, runs late now (within the misfire threshold of {})",
                        s.job(), e.getValue(), Durations.format(misfireThreshold));
                data.put(LATE_DUE, e.getValue().toEpochMilli());
            } else if ("skip".equals(s.misfire())) {
                LOG.warn("{}: fire due {} missed while down, skipped (misfire: skip)", s.job(), e.getValue());
                runner.recordSkipped(s.job(), s.id(), e.getValue(), "misfired while the engine was down (misfire: skip)");
                caughtUp(s.id());
                continue;
            } else {
                LOG.warn("{}: fire due {} missed while down, ran now (misfire: fire-once-now)", s.job(), e.getValue());
                data.put(MISSED_DUE, e.getValue().toEpochMilli());
            }
            scheduler.triggerJob(JobKey.jobKey(s.id(), GROUP), data);
        }
    }

    private void checkIn() {
        try {
            downtime.checkIn();
        } catch (RuntimeException e) {
            LOG.warn("Could not record the scheduler's check-in", e);
        }
    }

    /** Stops firing and waits for running jobs; the triggers stay in the database (never deleted at shutdown). */
    public void shutdown() {
        if (checkins != null) {
            checkins.shutdownNow();
            if (downtime != null) {
                checkIn();
            }
        }
        try {
            // no new fires; the runs going on get runbook.scheduler.shutdown-wait to end, then are ended as failed
            // (locks released): a stop never waits on a route that does not answer
            scheduler.standby();
            if (runner.shutdown(shutdownWait) > 0) {
                // their exchanges are still in flight: Camel's graceful stop would wait its full timeout for them
                ShutdownStrategy camel = this.camel.getShutdownStrategy();
                if (camel.getTimeout() > ABANDONED_STOP_SECONDS) {
                    LOG.warn("Runs were ended unfinished at stop: Camel's graceful stop shortened from {} s to {} s",
                            camel.getTimeout(), ABANDONED_STOP_SECONDS);
                    camel.setTimeout(ABANDONED_STOP_SECONDS);
                }
            }
            scheduler.shutdown(false);
        } catch (SchedulerException e) {
            LOG.warn("Scheduler did not stop cleanly", e);
        }
    }

    @Override
    public synchronized void apply(List<Schedule> remove, List<Schedule> add) throws Exception {
        long t0 = System.nanoTime();
        int replaced = 0;
        int removed = 0;
        int unchanged = 0;
        Set<String> kept = new java.util.HashSet<>();
        add.forEach(s -> kept.add(s.id()));
        for (Schedule s : remove) {
            if (kept.contains(s.id())) {
                continue;   // replaced below; unchanged ones keep their trigger and fire times
            }
            current.remove(s.id());
            pending.remove(s.id());
            if (started && scheduler.deleteJob(JobKey.jobKey(s.id(), GROUP))) {
                removed++;
            }
        }
        for (Schedule s : add) {
            if (!s.enabled()) {
                current.remove(s.id());
                pending.remove(s.id());
                if (started && scheduler.deleteJob(JobKey.jobKey(s.id(), GROUP))) {
                    removed++;
                }
                continue;
            }
            current.put(s.id(), s);
            if (!started) {
                pending.put(s.id(), s);
            } else {
                Trigger existing = scheduler.getTrigger(TriggerKey.triggerKey(s.id(), GROUP));
                if (existing == null || !fingerprint(s).equals(existing.getDescription())) {
                    scheduler.scheduleJob(jobDetail(s), Set.of(trigger(s, null, lead, !persistent)), true);
                    replaced++;
                } else {
                    unchanged++;
                }
            }
        }
        if (started) {
            // what a reload changed in the scheduler, and how long that took (bench/scale.sh shows it per edit)
            LOG.info("Schedules applied: {} trigger(s) new or changed, {} removed, {} unchanged in {} ms", replaced,
                    removed, unchanged, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Definition of a schedule as stored in the trigger's description: unchanged ones keep their fire times. */
    static String fingerprint(Schedule s) {
        // "every <ms>ms" as stored since the first release, so that no stored trigger looks changed after an upgrade
        String when = s.cron() != null ? s.cron() : "every " + s.every().toMillis() + "ms";
        return when + "|" + s.zone().getId() + "|" + s.misfire() + "|" + s.overlap();
    }

    private Map<String, String> storedFingerprints() throws SchedulerException {
        Map<String, String> stored = new HashMap<>();
        if (persistent) {
            jdbc.query("select trigger_name, description from qrtz_triggers where sched_name = ? and trigger_group = ?",
                    rs -> {
                        stored.put(rs.getString(1), rs.getString(2));
                    }, scheduler.getSchedulerName(), GROUP);
        }
        return stored;
    }

    static JobDetail jobDetail(Schedule s) {
        return JobBuilder.newJob("queue".equals(s.overlap()) ? QueuedRunJob.class : RunJob.class)
                .withIdentity(s.id(), GROUP).build();
    }

    /**
     * The trigger, firing {@code lead} ms before each due time (see {@link #LEAD}); with {@code after} set, a cron
     * trigger's first due time is after that instant (RAM store at start).
     */
    static Trigger trigger(Schedule s, Instant after, long lead) {
        return trigger(s, after, lead, lead > 0);
    }

    /**
     * The same; {@code shared}: a {@link LeadCronTrigger} on the cron shared with other schedules (the in-memory store)
     * instead of Quartz's own cron trigger (the JDBC store stores those).
     */
    static Trigger trigger(Schedule s, Instant after, long lead, boolean shared) {
        boolean skip = "skip".equals(s.misfire());
        if (s.cron() != null) {
            CronTriggerImpl t = shared ? new LeadCronTrigger(s.parsedCron(), lead) : new CronTriggerImpl();
            t.setKey(TriggerKey.triggerKey(s.id(), GROUP));
            t.setJobKey(JobKey.jobKey(s.id(), GROUP));
            t.setDescription(fingerprint(s));
            if (!shared) {
                t.setCronExpression(new CronExpression(s.cronExpression()));   // Quartz's own copy, as it keeps one anyway
            }
            t.setMisfireInstruction(skip ? CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
                    : CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
            // Quartz's first cron fire may be up to 1 s before the start time (a lead trigger's start is a due time)
            t.setStartTime(after == null ? new Date() : Date.from(after.plusSeconds(1)));
            t.getJobDataMap().put(LEAD, lead);
            return t;
        }
        long everyLead = Math.min(lead, s.every().toMillis() / 2);
        SimpleScheduleBuilder every = SimpleScheduleBuilder.simpleSchedule()
                .withIntervalInMilliseconds(s.every().toMillis()).repeatForever();
        return TriggerBuilder.newTrigger().withIdentity(s.id(), GROUP).forJob(s.id(), GROUP)
                .withDescription(fingerprint(s)).usingJobData(LEAD, everyLead)
                .withSchedule(skip ? every.withMisfireHandlingInstructionNextWithRemainingCount()
                        : every.withMisfireHandlingInstructionFireNow())
                .startAt(Date.from(Instant.now().plus(s.every()).minusMillis(everyLead))).build();
    }

    /** The due time a fire of {@code trigger} at {@code fireTime} stands for: the fire time plus the trigger's lead. */
    static Instant due(Trigger trigger, Date fireTime) {
        JobDataMap data = trigger.getJobDataMap();
        return fireTime.toInstant().plusMillis(data.containsKey(LEAD) ? data.getLong(LEAD) : 0);
    }

    /** One fire of a trigger, on a Quartz worker thread. */
    void fire(JobExecutionContext context) {
        String scheduleId = context.getJobDetail().getKey().getName();
        JobDataMap data = context.getMergedJobDataMap();
        boolean catchUpFire = data.containsKey(LATE_DUE) || data.containsKey(MISSED_DUE);
        if (!catchUpFire) {
            awaitCatchUp(scheduleId);
        }
        try {
            fireOnce(context, catchUpFire);
        } catch (DataIntegrityViolationException e) {
            // job_run's unique (job, scheduled_for): this due time was run already, by another node
            duplicatesRefused.incrementAndGet();
            LOG.error("Fire of {} due at {} refused: already recorded in job_run. Do several nodes share this database"
                    + " without runbook.scheduler.clustered=true?", context.getJobDetail().getKey().getName(),
                    context.getScheduledFireTime().toInstant());
        } finally {
            if (catchUpFire) {
                caughtUp(scheduleId);
            }
        }
    }

    /** A regular fire of a schedule whose catch-up fire has not claimed its run yet waits for that claim first. */
    private void awaitCatchUp(String scheduleId) {
        CountDownLatch claimed = catchingUp.get(scheduleId);
        try {
            if (claimed != null && !claimed.await(CATCH_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: its catch-up fire did not start within {}; the regular fire goes ahead", scheduleId,
                        Durations.format(CATCH_UP_WAIT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The catch-up fire of {@code scheduleId} claimed its run (or ended without one): regular fires go ahead. */
    private void caughtUp(String scheduleId) {
        CountDownLatch claimed = catchingUp.remove(scheduleId);
        if (claimed != null) {
            claimed.countDown();
        }
    }

    /** Fires refused because their due time was already in job_run: 0 unless nodes share a database unclustered. */
    long duplicatesRefused() {
        return duplicatesRefused.get();
    }

    private void fireOnce(JobExecutionContext context, boolean catchUpFire) {
        String scheduleId = context.getJobDetail().getKey().getName();
        Schedule s = current.get(scheduleId);
        if (s == null) {
            LOG.warn("Trigger for {} fired but no schedule is in force for it on this node; ignored", scheduleId);
            return;
        }
        String job = s.job();
        if (runner.idle(job)) {
            LOG.debug("{}: nothing to do at this fire, no run recorded", job);
            return;
        }
        JobDataMap data = context.getMergedJobDataMap();
        Instant due = data.containsKey(LATE_DUE) ? Instant.ofEpochMilli(data.getLong(LATE_DUE))
                : due(context.getTrigger(), context.getScheduledFireTime());
        Instant missed = data.containsKey(MISSED_DUE) ? Instant.ofEpochMilli(data.getLong(MISSED_DUE))
                : missedBefore(s, context);
        if ("skip".equals(s.overlap()) && !catchUpFire && context.getNextFireTime() != null
                && !due(context.getTrigger(), context.getNextFireTime()).isAfter(Instant.now())) {
            // a burst of late fires (a handover or restart within the misfire threshold, or no free thread): the
            // next due time is past already, so this one is folded into the run of the last fire of the burst
            coalesced.merge(s.id(), new Coalesced(due, due, 1),
                    (a, b) -> new Coalesced(a.first(), b.last(), a.count() + b.count()));
            return;
        }
        Coalesced folded = coalesced.remove(s.id());
        if (folded != null) {
            LOG.warn("{}: {} late fire(s) due {} .. {} coalesced into one run, due {} (overlap: skip)", job,
                    folded.count(), folded.first(), folded.last(), due);
            missed = missed == null ? folded.first() : missed;
        }
        RunTrigger trigger = missed == null ? RunTrigger.SCHEDULE : RunTrigger.MISFIRE;
        if (missed != null && folded == null && !data.containsKey(MISSED_DUE)) {
            LOG.warn("{}: fire due {} missed{}, ran now (misfire: fire-once-now)", job, missed,
                    missed.isBefore(startedAt) ? " while down" : " (no free scheduler thread in time)");
        }
        String message = s.timeout() == null ? null : "timed out after " + Durations.format(s.timeout());
        if (!"skip".equals(s.overlap())) {
            if (catchUpFire) {   // no lock to take first: the regular fires need not wait for this run
                caughtUp(s.id());
            }
            runner.runScheduled(job, s.id(), s.params(), trigger, due, s.timeout(), message, id -> timedOut(s, id, message));
            return;
        }
        // the job_lock row is taken in the transaction that inserts the run's row, and given back in the one that
        // ends it
        runner.runScheduled(job, s.id(), s.params(), trigger, due, s.timeout(), message, id -> timedOut(s, id, message), () -> {
            String holder = locks.tryLock(s.id(), runner::isRunningSchedule);
            if (catchUpFire) {   // in the unit that takes the lock: the regular fire waiting for it comes after
                caughtUp(s.id());
            }
            return holder == null ? null : "previous run still running on " + holder + " (overlap: skip)";
        }, () -> locks.unlock(s.id()));
    }

    private void timedOut(Schedule s, long runId, String message) {
        LOG.error("Run {} of {} {}: marked failed", runId, s.job(), message);
        IncidentRaiser incidents = this.incidents.get();
        if (incidents != null) {
            incidents.raise("JobTimedOut/" + s.job(), "P2", "Job " + s.job() + " " + message,
                    "Run " + runId + " of " + s.job() + " is still running after its timeout of "
                            + Durations.format(s.timeout()) + " (" + s.file() + "). It was marked failed and its overlap"
                            + " lock released, so the next fire runs; the route may still be working.",
                    Map.of("job", s.job(), "runId", Long.toString(runId),
                            "node", runner.node()));
        }
    }

    /**
     * With misfire: fire-once-now, Quartz fires a missed trigger once, "now", instead of at its due time; the due
     * time it makes up for is the one after the trigger's previous fire. Null for a fire on time.
     */
    static Instant missedBefore(Schedule s, JobExecutionContext context) {
        Date previousFire = context.getPreviousFireTime();
        if (previousFire == null || "skip".equals(s.misfire())) {
            return null;
        }
        Instant previous = due(context.getTrigger(), previousFire);
        Instant expected = s.cron() != null ? s.nextFireAfter(previous) : previous.plus(s.every());
        Instant due = due(context.getTrigger(), context.getScheduledFireTime());
        return expected != null && expected.isBefore(due) ? expected : null;
    }

    /** misfire: skip — Quartz drops the missed fire silently; this records it as a skipped run. */
    private final class MisfireRecorder extends TriggerListenerSupport {
        @Override
        public String getName() {
            return "runbook-misfires";
        }

        @Override
        public void triggerMisfired(Trigger trigger) {
            Schedule s = current.get(trigger.getKey().getName());
            Date next = trigger.getNextFireTime();
            if (s == null || next == null || !"skip".equals(s.misfire())) {
                return;
            }
            Instant due = due(trigger, next);
            boolean down = due.isBefore(startedAt);
            String reason = (down ? "misfired while the engine was down"
                    : "misfired: no free scheduler thread within the misfire threshold") + " (misfire: skip)";
            LOG.warn("{}: fire due {} missed{}, skipped (misfire: skip)", s.job(), due,
                    down ? " while down" : " (no free scheduler thread in time)");
            try {
                runner.recordSkipped(s.job(), s.id(), due, reason);
            } catch (RuntimeException e) {
                LOG.warn("Could not record the misfire of {}", s.job(), e);
            }
        }
    }

    /** The next fire time Quartz holds for a schedule (shared by every node when clustered), or null without a trigger. */
    public Instant nextFire(String scheduleId) {
        try {
            Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey(scheduleId, GROUP));
            Date next = trigger == null ? null : trigger.getNextFireTime();
            return next == null ? null : due(trigger, next);
        } catch (SchedulerException e) {
            LOG.warn("Cannot read the trigger of {}", scheduleId, e);
            return null;
        }
    }

    /**
     * The next fire time of every job with a trigger, read in one query with the JDBC store (one trigger read per job
     * made the start-up log of 10,000 jobs take seconds); the same figures as {@link #nextFire}.
     */
    Map<String, Instant> nextFires() {
        Map<String, Instant> next = new HashMap<>();
        try {
            if (persistent) {
                jdbc.query("select trigger_name, next_fire_time from qrtz_triggers where sched_name = ? and trigger_group = ?",
                        rs -> {
                            long millis = rs.getLong(2);
                            if (!rs.wasNull() && millis > 0) {
                                next.put(rs.getString(1), Instant.ofEpochMilli(millis));
                            }
                        }, scheduler.getSchedulerName(), GROUP);
            } else {
                for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP))) {
                    Instant at = nextFire(key.getName());
                    if (at != null) {
                        next.put(key.getName(), at);
                    }
                }
            }
        } catch (SchedulerException e) {
            LOG.warn("Cannot read the triggers", e);
        }
        return next;
    }

    boolean isClustered() {
        return clustered;
    }
}
