package com.runbook.engine.run;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.CurrentRun;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.Parameters;
import com.runbook.engine.definition.ParametersRefused;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs a job (the route {@code direct:<job>}) and records the run in {@code job_run}. A job that throws is recorded
 * as failed; the exception never leaves this class, so a failing route never takes the engine down.
 */
public class JobRunner implements RunStarter {
    private static final String HEADER_RUN_ID = "RunbookRunId";
    private static final String HEADER_TRIGGER = "RunbookTrigger";
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final CamelContext context;
    private final RunStore runs;
    private final String node;
    private final Predicate<String> isJob;
    /** The runs going on in this engine, by id: what ends them when their route is gone or the engine stops. */
    private final Map<Long, Active> active = new ConcurrentHashMap<>();
    /** When this engine (process) started: a running row older than this was left by a previous process. */
    private final Instant startedAt = Instant.now();
    private final ExecutorService manualRuns = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runbook-manual-run");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runbook-run-timeouts");
        t.setDaemon(true);
        return t;
    });
    private final List<RunListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, BooleanSupplier> idleChecks = new ConcurrentHashMap<>();
    private ProducerTemplate producer;
    /** Each job's declared parameters: every door's run is checked against them here (see {@link #parametersFrom}). */
    private volatile Function<String, Parameters> declared = job -> Parameters.UNDECLARED;

    /**
     * One run going on: its thread, the route it was started on, and what gives its overlap lock back. It ends once:
     * when its route returns, or earlier when the route is gone (a reload or stop forced it down after the graceful
     * timeout: the route will never answer) or the engine stops; whoever ends it writes the row, releases the lock
     * and tells the listeners.
     */
    private static final class Active {
        final String job;
        final String trigger;
        /** On whose behalf the run goes on (its row's {@code started_by}, the {@code actor} of its log lines). */
        final Actor by;
        /** The schedule a scheduled run belongs to (its overlap lock is taken per schedule); null for other runs. */
        String scheduleId;
        /** The thread the route runs on (set when it starts; a manual run is begun on the caller's thread). */
        Thread thread;
        final Runnable release;
        final long startNanos = System.nanoTime();
        volatile Route route;
        /** How many route checks in a row found the route gone (two are needed: a stop may be a graceful one). */
        int goneChecks;
        boolean ended;
        boolean returned;
        /** Completed once the run's row says how it ended (a door may wait on it). */
        final CompletableFuture<RunEnd> end = new CompletableFuture<>();

        Active(String job, String trigger, Actor by, Runnable release) {
            this.job = job;
            this.trigger = trigger;
            this.by = by;
            this.release = release;
        }
    }

    /** Told about every run that ends (metrics, notifications, ...). */
    public interface RunListener {
        void finished(String job, String trigger, long runId, RunStatus status, long durationMs, String error);
    }

    public void addListener(RunListener listener) {
        listeners.add(listener);
    }

    /**
     * Told, in the run's own thread, just before a run's route is called with its exchange and just after it returned
     * (before its end is recorded, so what a scope keeps of the run is in place once the run is seen to end): the
     * run's timeline and log, a dry run's plan.
     */
    public interface RunScope {
        void entered(long runId, String job, String trigger, Exchange exchange);

        /** {@code failure}: what the route threw, null when it succeeded. */
        void left(long runId, String job, RunStatus status, Throwable failure);
    }

    private final List<RunScope> scopes = new CopyOnWriteArrayList<>();

    public void addScope(RunScope scope) {
        scopes.add(scope);
    }

    private void enter(long id, String job, String trigger, Exchange exchange) {
        for (RunScope s : scopes) {
            s.entered(id, job, trigger, exchange);
        }
    }

    private void leave(long id, String job, RunStatus status, Throwable failure) {
        for (RunScope s : scopes) {
            try {
                s.left(id, job, status, failure);
            } catch (RuntimeException e) {
                LOG.warn("Run scope failed at the end of run {} of {}", id, job, e);
            }
        }
    }

    private void tell(String job, String trigger, long runId, RunStatus status, long startNanos, String error) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        for (RunListener l : listeners) {
            try {
                l.finished(job, trigger, runId, status, ms, error);
            } catch (RuntimeException e) {
                LOG.warn("Run listener failed", e);
            }
        }
    }

    public JobRunner(CamelContext context, RunStore runs, String node, Predicate<String> isJob) {
        this.context = context;
        this.runs = runs;
        this.node = node;
        this.isJob = isJob;
        timeouts.scheduleWithFixedDelay(this::checkRoutes, ROUTE_CHECK_MS, ROUTE_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /** How often the runs going on are checked for a route that is gone. */
    static final long ROUTE_CHECK_MS = 500;

    /** When this engine process started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** Where each job's declared parameters are looked up; set once at start (the runbooks in force). */
    public void parametersFrom(Function<String, Parameters> declared) {
        this.declared = declared;
    }

    /**
     * The one parameter check of every door (schedule, API, CLI, console, alert routing, tests): the values the run
     * gets, defaults filled in. Alert routing passes labels the runbook does not declare on unchecked.
     *
     * @throws ParametersRefused with every problem, before anything is recorded or run
     */
    private Map<String, Object> checked(String job, String trigger, Map<String, ?> given) {
        return declared.apply(job).check(job, given,
                RunTrigger.ALERT.stored().equals(trigger) ? Parameters.Unknown.PASS : Parameters.Unknown.REFUSE);
    }

    /** The node name written into every job_run row. */
    public String node() {
        return node;
    }

    /** Whether a run of {@code job} is going on in this engine. */
    private boolean isRunning(String job) {
        return active.values().stream().anyMatch(a -> a.job.equals(job));
    }

    /** Whether a run of schedule {@code scheduleId} is going on in this process (whose overlap lock it holds). */
    public boolean isRunningSchedule(String scheduleId) {
        return active.values().stream().anyMatch(a -> scheduleId.equals(a.scheduleId));
    }

    /** Records a fire of schedule {@code scheduleId} that did not run (overlap, misfire) as a {@code skipped} row with the reason. */
    public long recordSkipped(String job, String scheduleId, Instant scheduledFor, String reason) {
        String trigger = RunTrigger.SCHEDULE.stored();
        long id = runs.start(job, trigger, node, RunStatus.SKIPPED, reason, scheduledFor, scheduleId, null,
                Actor.schedule(scheduleId));
        tell(job, trigger, id, RunStatus.SKIPPED, System.nanoTime(), reason);
        return id;
    }

    /**
     * Runs a scheduled fire in the calling (scheduler) thread. A run still going after {@code timeout} is marked
     * failed with {@code timeoutMessage} and {@code onTimeout} is told its id; the route itself is left to end.
     */
    public long runScheduled(String job, String scheduleId, Map<String, String> params, RunTrigger trigger,
                             Instant scheduledFor, Duration timeout, String timeoutMessage, LongConsumer onTimeout) {
        return runScheduled(job, scheduleId, params, trigger, scheduledFor, timeout, timeoutMessage, onTimeout,
                () -> null, () -> { });
    }

    /**
     * Like {@link #runScheduled(String, String, Map, RunTrigger, Instant, Duration, String, LongConsumer)}, guarded: {@code claim}
     * runs in the transaction that inserts the job_run row, just before it, and returns null to go ahead or the
     * reason this fire is skipped (then recorded as a {@code skipped} row); {@code release} runs in the transaction
     * that ends the run. One commit each: a claim in a transaction of its own doubled the fire's database wait.
     * A fire before its due time (the scheduler's lead) records the run first and calls the route at the due time;
     * a claim refused that early is tried again at the due time, as the previous run may end meanwhile.
     */
    public long runScheduled(String job, String scheduleId, Map<String, String> params, RunTrigger trigger,
                             Instant scheduledFor, Duration timeout, String timeoutMessage, LongConsumer onTimeout,
                             Supplier<String> claim, Runnable release) {
        Map<String, Object> values = checked(job, trigger.stored(), params);
        Map<String, String> recorded = declared.apply(job).recorded(values);
        String[] refused = new String[1];
        Active run = new Active(job, trigger.stored(), Actor.schedule(scheduleId), release);
        run.scheduleId = scheduleId;
        run.thread = Thread.currentThread();
        long early = record(run, scheduleId, recorded, scheduledFor, claim, refused);
        if (early < 0) {
            waitUntil(scheduledFor);
        }
        long id = early < 0 ? record(run, scheduleId, recorded, scheduledFor, claim, refused) : early;
        if (id == IDLE) {
            LOG.debug("{}: nothing to do once the previous run ended, no run recorded", job);
            return IDLE;
        }
        if (refused[0] != null) {
            LOG.warn("Skipped {} due at {}: {}", job, scheduledFor, refused[0]);
            tell(job, RunTrigger.SCHEDULE.stored(), id, RunStatus.SKIPPED, System.nanoTime(), refused[0]);
            return id;
        }
        waitUntil(scheduledFor);
        ScheduledFuture<?> watchdog = timeout == null ? null : timeouts.schedule(() -> {
            // the route is left to end, but the run is over: failed, its lock released, so the next fire runs
            if (end(id, run, RunStatus.FAILED, timeoutMessage, false, null, null)) {
                onTimeout.accept(id);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            execute(id, run, values);
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
        return id;
    }

    /** What {@link #runScheduled} returns for a fire that found nothing to do once it held its claim (no row). */
    private static final long IDLE = -2;

    /**
     * The run's row (running or skipped), or -1 when the claim was refused before the due time, or {@link #IDLE}
     * when the job had nothing to do once claimed (nothing written either way).
     * A run that goes ahead is registered as going on inside the unit that claims it, so the next fire of the job
     * (on the same writer lane, after it) never takes its lock for stale.
     */
    private long record(Active run, String scheduleId, Map<String, String> params, Instant scheduledFor,
                        Supplier<String> claim, String[] refused) {
        long[] registered = {-1};
        try {
            return runs.writes().call(run.job, () -> {
                refused[0] = claim.get();
                if (refused[0] != null && Instant.now().isBefore(scheduledFor)) {
                    return -1L;
                }
                if (refused[0] == null && idle(run.job)) {
                    // the run this fire waited for did the work meanwhile (fireOnce asked before the claim)
                    run.release.run();
                    return IDLE;
                }
                if (refused[0] != null) {
                    return runs.start(run.job, RunTrigger.SCHEDULE.stored(), node, RunStatus.SKIPPED, refused[0], scheduledFor,
                            scheduleId, params, run.by);
                }
                long id = runs.start(run.job, run.trigger, node, RunStatus.RUNNING, null, scheduledFor, scheduleId, params,
                        run.by);
                active.put(id, run);
                registered[0] = id;
                return id;
            });
        } catch (RuntimeException e) {
            if (registered[0] >= 0) {
                active.remove(registered[0], run);
            }
            throw e;
        }
    }

    /** Parks the calling thread until {@code due} (at once when it is past or the thread is interrupted). */
    static void waitUntil(Instant due) {
        for (long left = Duration.between(Instant.now(), due).toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
             left = Duration.between(Instant.now(), due).toNanos()) {
            LockSupport.parkNanos(left);
        }
    }

    /**
     * A job whose scheduled fire has nothing to do unless {@code hasWork} says so: such a fire writes no run row
     * (the health watchdog's tick when no endpoint is due). Manual runs always run.
     */
    public void skipWhenIdle(String job, BooleanSupplier hasWork) {
        idleChecks.put(job, hasWork);
    }

    /** Whether a scheduled fire of {@code job} would have nothing to do now (see {@link #skipWhenIdle}). */
    public boolean idle(String job) {
        BooleanSupplier hasWork = idleChecks.get(job);
        try {
            return hasWork != null && !hasWork.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("Could not tell whether {} has work; it runs", job, e);
            return false;
        }
    }

    @Override
    public boolean isJob(String job) {
        return isJob.test(job);
    }

    /**
     * Starts a run in the background and returns it at once, with its end to wait for.
     *
     * @throws Refused {@code NOT_FOUND} when {@code job} is not a runbook in force (nothing recorded or run)
     * @throws ParametersRefused when the parameters do not match the job's declaration (nothing recorded or run)
     */
    @Override
    public Watched startWatched(String job, RunTrigger trigger, Map<String, Object> parameters, Actor by) {
        if (!isJob(job)) {
            throw new Refused(Refused.Reason.NOT_FOUND, "no job '" + job + "' (see GET /api/jobs)");
        }
        Map<String, Object> values = checked(job, trigger.stored(), parameters);
        long id = runs.start(job, trigger.stored(), node, RunStatus.RUNNING, null, null, null,
                declared.apply(job).recorded(values), by);
        Active run = begin(id, job, trigger.stored(), by);
        manualRuns.submit(() -> execute(id, run, values));
        return new Watched(id, run.end);
    }

    /** {@link #runNow(String, String, boolean, Actor)} on behalf of the engine ({@code engine:direct}): tests, benchmarks. */
    public long runNow(String job, String trigger, boolean skipIfRunning) {
        return runNow(job, trigger, skipIfRunning, Actor.engine("direct"));
    }

    /**
     * Runs a job in the calling thread on behalf of {@code by}. With {@code skipIfRunning}, a run of the same job still
     * going on this node makes this fire a {@code skipped} row instead.
     */
    public long runNow(String job, String trigger, boolean skipIfRunning, Actor by) {
        if (skipIfRunning && isRunning(job)) {
            String reason = "previous run still running (overlap: skip)";
            long id = runs.start(job, trigger, node, RunStatus.SKIPPED, reason, null, null, null, by);
            LOG.warn("Skipped {}: previous run still running", job);
            tell(job, trigger, id, RunStatus.SKIPPED, System.nanoTime(), reason);
            return id;
        }
        Map<String, Object> values = checked(job, trigger, Map.of());
        long id = runs.start(job, trigger, node, RunStatus.RUNNING, null, null, null, declared.apply(job).recorded(values),
                by);
        execute(id, begin(id, job, trigger, by), values);
        return id;
    }

    private Active begin(long id, String job, String trigger, Actor by) {
        Active run = new Active(job, trigger, by, () -> { });
        active.put(id, run);
        return run;
    }

    private void execute(long id, Active run, Map<String, Object> parameters) {
        String job = run.job;
        String trigger = run.trigger;
        synchronized (run) {
            if (run.ended) {
                // ended while it waited for its due time (the engine stopped)
                active.remove(id, run);
                return;
            }
            run.thread = Thread.currentThread();
            run.route = context.getRoute(job);
        }
        RunStatus status = RunStatus.FAILED;
        String errorText = null;
        Object body = null;
        Throwable failure = null;
        Story story = runs.story().open(id);
        List<String> secrets = declared.apply(job).secretValues(parameters);
        story.mask(secrets);   // a secret parameter's value: **** in the run's log, its error and the engine's WARN line
        CurrentRun.enter(id, job, run.by);
        try {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setHeaders(new java.util.HashMap<>(parameters));
            exchange.getMessage().setHeader(HEADER_RUN_ID, id);
            exchange.getMessage().setHeader(HEADER_TRIGGER, trigger);
            exchange.setProperty(Story.PROPERTY, story);
            LOG.info("Run {} of {} started ({}, by {})", id, job, trigger, run.by.id());
            enter(id, job, trigger, exchange);
            Exchange result = producer().send("direct:" + job, exchange);
            Exception error = result.getException();
            if (error == null) {
                status = RunStatus.SUCCEEDED;
                body = result.getMessage().getBody();
            } else {
                errorText = describe(error);
                failure = error;
            }
        } catch (RuntimeException e) {
            errorText = describe(e);
            failure = e;
        } finally {
            synchronized (run) {
                run.returned = true;
            }
            errorText = Parameters.masked(errorText, secrets);
            leave(id, job, status, failure);
            if (!end(id, run, status, errorText, true, body, failure)) {
                // ended before its route returned (route gone, engine stopping): the interrupt is spent
                Thread.interrupted();
                LOG.info("Run {} of {} returned after it had been ended: {}", id, job, errorText == null ? status : errorText);
            }
            active.remove(id, run);
            RunStory.leave(story);
            runs.story().forget(id);
            CurrentRun.leave();
        }
    }

    /**
     * The one line a failed run logs (WARN): run id, job, the step that failed (the innermost failed node of its
     * timeline, with its file:line) and the message. The stack trace goes to DEBUG and to the run's own log (unless
     * Camel's error handler put it there already); Camel's
     * "Failed delivery ... Message History" dump is kept out of the engine's output during a run (it is in the run's
     * log).
     */
    private static void logFailure(long id, String job, String error, Throwable failure) {
        Story story = RunStory.current();
        String step = story == null ? null : failedStep(story.steps());
        LOG.warn("Run {} of {} failed{}: {}", id, job, step == null ? "" : " at " + step, error);
        if (failure != null) {
            LOG.debug("Run {} of {} failed", id, job, failure);
            if (story != null && !LOG.isDebugEnabled() && !story.hasFailureReport()) {
                java.io.StringWriter stack = new java.io.StringWriter();
                failure.printStackTrace(new java.io.PrintWriter(stack));
                story.line(Instant.now(), "DEBUG", JobRunner.class.getName(), "Run " + id + " of " + job + " failed\n" + stack);
            }
        }
    }

    /** The step a failed run failed at: its innermost failed node ({@code bean3 (routes/x.camel.yaml:12)}), or null. */
    static String failedStep(List<com.runbook.engine.core.RunStep> steps) {
        return steps.stream().filter(s -> "failed".equals(s.outcome())).reduce((a, b) -> b)
                .map(s -> s.node() + (s.source() == null ? "" : " (" + s.source() + ")")).orElse(null);
    }

    /**
     * Ends a run once: writes its row (unless its timeout marked it failed already) and gives its lock back in one
     * transaction, and tells the listeners. With {@code returned} false the route has not returned: the run is over
     * for the engine all the same. False when the run had ended already.
     */
    private boolean end(long id, Active run, RunStatus status, String error, boolean returned, Object result,
                        Throwable failure) {
        synchronized (run) {
            if (run.ended) {
                return false;
            }
            run.ended = true;
        }
        if (!returned) {
            active.remove(id, run);
        }
        // logged before the story is saved: on the run's thread, these lines end the run's own log
        if (status == RunStatus.SUCCEEDED) {
            LOG.info("Run {} of {} succeeded", id, run.job);
        } else if (returned) {
            logFailure(id, run.job, error, failure);
        }
        try {
            // the story joins the end's transaction (one commit); should it not save, the end is recorded without it
            try {
                runs.writes().run(run.job, () -> {
                    runs.story().save(id);
                    runs.finish(run.job, id, status, error);
                    run.release.run();
                });
            } catch (RuntimeException e) {
                LOG.warn("Could not save the timeline and log of run {} of {}", id, run.job, e);
                runs.writes().run(run.job, () -> {
                    runs.finish(run.job, id, status, error);
                    run.release.run();
                });
            }
        } catch (RuntimeException e) {
            LOG.error("Could not record the end of run {} of {}", id, run.job, e);
        } finally {
            runs.story().forget(id);
        }
        if (status != RunStatus.SUCCEEDED && !returned) {
            LOG.error("Run {} of {} ended as {}: {}", id, run.job, status, error);
        }
        tell(run.job, run.trigger, id, status, run.startNanos, error);
        run.end.complete(new RunEnd(id, status, error, result, failure));
        return true;
    }

    /**
     * A run whose route was removed, replaced or stopped under it (a reload or stop that forced the route down
     * after camel.main.shutdownTimeout) never gets an answer: it is ended as failed, its lock released, and its
     * thread interrupted so that it stops waiting. Seen twice in a row, so a graceful stop that lets it finish wins.
     */
    private void checkRoutes() {
        try {
            active.forEach((id, run) -> {
                Route route = run.route;
                if (route == null) {
                    return;
                }
                boolean gone = context.getRoute(run.job) != route
                        || context.getRouteController().getRouteStatus(run.job) == ServiceStatus.Stopped;
                run.goneChecks = gone ? run.goneChecks + 1 : 0;
                if (run.goneChecks >= 2) {
                    abandon(id, run, "the route " + run.job + " was stopped under the run (a reload or stop forced it"
                            + " down after its graceful timeout, camel.main.shutdownTimeout)");
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not check the routes of the runs going on", e);
        }
    }

    /** Ends a run its route will not answer for; false when it had ended already. */
    private boolean abandon(long id, Active run, String reason) {
        if (!end(id, run, RunStatus.FAILED, reason, false, null, null)) {
            return false;
        }
        synchronized (run) {
            if (!run.returned && run.thread != null) {
                run.thread.interrupt();
            }
        }
        return true;
    }

    /**
     * The {@code running} rows of {@code nodes} (null: every node) that are not runs of this process are left from a
     * process that died (crash, SIGKILL, power loss); they become failed with the reason. Returns how many.
     */
    public int abandonLeftRuns(java.util.Collection<String> nodes, String reason) {
        return runs.abandon(nodes, java.util.Set.copyOf(active.keySet()), reason);
    }

    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e.getClass().getSimpleName() + ": " + message;
    }

    private synchronized ProducerTemplate producer() {
        if (producer == null) {
            producer = context.createProducerTemplate();
        }
        return producer;
    }

    /**
     * Stops: waits up to {@code wait} for the runs going on to end, then ends the rest as failed (their locks
     * released, their threads interrupted), so that a stop never waits on a route that does not answer. Returns how
     * many it had to end.
     */
    public int shutdown(Duration wait) {
        manualRuns.shutdown();
        try {
            CompletableFuture.allOf(active.values().stream().map(a -> a.end).toArray(CompletableFuture[]::new))
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the runs still going are ended below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());   // a run's end never completes exceptionally
        }
        int[] ended = {0};
        active.forEach((id, run) -> {
            if (abandon(id, run, "the engine stopped while the run was going on (waited " + wait.toMillis() + " ms for it to end)")) {
                ended[0]++;
            }
        });
        manualRuns.shutdownNow();
        timeouts.shutdownNow();
        return ended[0];
    }

    public void shutdown() {
        shutdown(Duration.ZERO);
    }
}
