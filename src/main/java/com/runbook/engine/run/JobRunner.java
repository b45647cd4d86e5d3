package com.runbook.engine.run;

import com.runbook.engine.params.Parameters;
import com.runbook.engine.params.ParametersRefused;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
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
public class JobRunner {
    public static final String HEADER_RUN_ID = "RunbookRunId";
    public static final String HEADER_TRIGGER = "RunbookTrigger";
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final CamelContext context;
    private final RunStore runs;
    private final String node;
    private final Predicate<String> isJob;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
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
    private ProducerTemplate producer;
    /** Each job's declared parameters: every door's run is checked against them here (see {@link #parametersFrom}). */
    private volatile Function<String, Parameters> declared = job -> Parameters.UNDECLARED;

    /** Told about every run that ends (metrics, notifications, ...). */
    public interface RunListener {
        void finished(String job, String trigger, long runId, String status, long durationMs, String error);
    }

    public void addListener(RunListener listener) {
        listeners.add(listener);
    }

    private void tell(String job, String trigger, long runId, String status, long startNanos, String error) {
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
        return declared.apply(job).check(job, given, "alert".equals(trigger) ? Parameters.Unknown.PASS : Parameters.Unknown.REFUSE);
    }

    /** The node name written into every job_run row. */
    public String node() {
        return node;
    }

    /** Whether a run of {@code job} is going on in this engine. */
    public boolean isRunning(String job) {
        return running.contains(job);
    }

    /** Records a scheduled fire that did not run (overlap, misfire) as a {@code skipped} row with the reason. */
    public long recordSkipped(String job, Instant scheduledFor, String reason) {
        return recordSkipped(job, job, scheduledFor, reason);
    }

    /** Like {@link #recordSkipped(String, Instant, String)}, for schedule {@code scheduleId} of the job. */
    public long recordSkipped(String job, String scheduleId, Instant scheduledFor, String reason) {
        long id = runs.start(job, "schedule", node, "skipped", reason, scheduledFor, scheduleId, null);
        tell(job, "schedule", id, "skipped", System.nanoTime(), reason);
        return id;
    }

    /**
     * Runs a scheduled fire in the calling (scheduler) thread. A run still going after {@code timeout} is marked
     * failed with {@code timeoutMessage} and {@code onTimeout} is told its id; the route itself is left to end.
     */
    public long runScheduled(String job, String scheduleId, Map<String, String> params, String trigger,
                             Instant scheduledFor, Duration timeout, String timeoutMessage, LongConsumer onTimeout) {
        return runScheduled(job, scheduleId, params, trigger, scheduledFor, timeout, timeoutMessage, onTimeout,
                () -> null, () -> { });
    }

    /**
     * Like {@link #runScheduled(String, String, Map, String, Instant, Duration, String, LongConsumer)}, guarded: {@code claim}
     * runs in the transaction that inserts the job_run row, just before it, and returns null to go ahead or the
     * reason this fire is skipped (then recorded as a {@code skipped} row); {@code release} runs in the transaction
     * that ends the run. One commit each: a claim in a transaction of its own doubled the fire's database wait.
     * A fire before its due time (the scheduler's lead) records the run first and calls the route at the due time;
     * a claim refused that early is tried again at the due time, as the previous run may end meanwhile.
     */
    public long runScheduled(String job, String scheduleId, Map<String, String> params, String trigger,
                             Instant scheduledFor, Duration timeout, String timeoutMessage, LongConsumer onTimeout,
                             Supplier<String> claim, Runnable release) {
        Map<String, Object> values = checked(job, trigger, params);
        Map<String, String> recorded = declared.apply(job).recorded(values);
        String[] refused = new String[1];
        long early = record(job, scheduleId, recorded, trigger, scheduledFor, claim, refused);
        if (early < 0) {
            waitUntil(scheduledFor);
        }
        long id = early < 0 ? record(job, scheduleId, recorded, trigger, scheduledFor, claim, refused) : early;
        if (refused[0] != null) {
            LOG.warn("Skipped {} due at {}: {}", job, scheduledFor, refused[0]);
            tell(job, "schedule", id, "skipped", System.nanoTime(), refused[0]);
            return id;
        }
        running.add(job);
        waitUntil(scheduledFor);
        ScheduledFuture<?> watchdog = timeout == null ? null : timeouts.schedule(() -> {
            if (runs.finish(job, id, "failed", timeoutMessage)) {
                onTimeout.accept(id);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            execute(id, job, trigger, values, release);
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
        return id;
    }

    /** The run's row (running or skipped), or -1 when the claim was refused before the due time (nothing written). */
    private long record(String job, String scheduleId, Map<String, String> params, String trigger, Instant scheduledFor,
                        Supplier<String> claim, String[] refused) {
        return runs.writes().call(job, () -> {
            refused[0] = claim.get();
            if (refused[0] != null && Instant.now().isBefore(scheduledFor)) {
                return -1L;
            }
            return refused[0] == null ? runs.start(job, trigger, node, "running", null, scheduledFor, scheduleId, params)
                    : runs.start(job, "schedule", node, "skipped", refused[0], scheduledFor, scheduleId, params);
        });
    }

    /** Parks the calling thread until {@code due} (at once when it is past or the thread is interrupted). */
    static void waitUntil(Instant due) {
        for (long left = Duration.between(Instant.now(), due).toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
             left = Duration.between(Instant.now(), due).toNanos()) {
            LockSupport.parkNanos(left);
        }
    }

    public boolean isJob(String job) {
        return isJob.test(job);
    }

    /**
     * Starts a run in the background and returns its id at once.
     *
     * @throws ParametersRefused when the parameters do not match the job's declaration (nothing recorded or run)
     */
    public long submit(String job, String trigger, Map<String, Object> parameters) {
        Map<String, Object> values = checked(job, trigger, parameters);
        long id = runs.start(job, trigger, node, "running", null, null, null, declared.apply(job).recorded(values));
        manualRuns.submit(() -> execute(id, job, trigger, values, () -> { }));
        return id;
    }

    /**
     * Runs a job in the calling thread. With {@code skipIfRunning}, a run of the same job still going on this node
     * makes this fire a {@code skipped} row instead.
     */
    public long runNow(String job, String trigger, boolean skipIfRunning) {
        if (skipIfRunning && running.contains(job)) {
            long id = runs.start(job, trigger, node, "skipped", "previous run still running (overlap: skip)");
            LOG.warn("Skipped {}: previous run still running", job);
            tell(job, trigger, id, "skipped", System.nanoTime(), "previous run still running (overlap: skip)");
            return id;
        }
        Map<String, Object> values = checked(job, trigger, Map.of());
        long id = runs.start(job, trigger, node, "running", null, null, null, declared.apply(job).recorded(values));
        execute(id, job, trigger, values, () -> { });
        return id;
    }

    private void execute(long id, String job, String trigger, Map<String, Object> parameters, Runnable release) {
        running.add(job);
        long t0 = System.nanoTime();
        String status = "failed";
        String errorText = null;
        MDC.put("runId", Long.toString(id));
        MDC.put("job", job);
        try {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setHeaders(new java.util.HashMap<>(parameters));
            exchange.getMessage().setHeader(HEADER_RUN_ID, id);
            exchange.getMessage().setHeader(HEADER_TRIGGER, trigger);
            LOG.info("Run {} of {} started ({})", id, job, trigger);
            Exchange result = producer().send("direct:" + job, exchange);
            Exception error = result.getException();
            if (error == null) {
                status = "succeeded";
            } else {
                errorText = describe(error);
            }
        } catch (RuntimeException e) {
            errorText = describe(e);
        } finally {
            String ended = status;
            String error = errorText;
            try {
                runs.writes().run(job, () -> {
                    runs.finish(job, id, ended, error);
                    release.run();
                });
            } catch (RuntimeException e) {
                LOG.error("Could not record the end of run {} of {}", id, job, e);
            } finally {
                running.remove(job);
            }
            if ("succeeded".equals(ended)) {
                LOG.info("Run {} of {} succeeded", id, job);
            } else {
                LOG.warn("Run {} of {} failed: {}", id, job, error);
            }
            tell(job, trigger, id, status, t0, errorText);
            MDC.remove("runId");
            MDC.remove("job");
        }
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

    public void shutdown() {
        manualRuns.shutdownNow();
        timeouts.shutdownNow();
    }
}
