package com.runbook.engine.core;

import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Optional;

/**
 * The plan of a dry run ({@link RunTrigger#DRY_RUN}): the ordered effects the run would have had. A side effect of the
 * engine's own Java code asks {@link #current()} first and, inside a dry run, records what it would do instead of
 * doing it. The plan is the exchange property {@link #PROPERTY} of the run's exchange and, while a step of the run
 * executes, the current plan of that thread.
 */
public final class DryRun {
    /** The exchange property that holds the run's {@link DryRun} (absent on real runs). */
    public static final String PROPERTY = "RunbookDryRun";

    private static final ThreadLocal<DryRun> CURRENT = new ThreadLocal<>();

    private final long runId;
    private final List<Effect> effects = new ArrayList<>();

    public DryRun(long runId) {
        this.runId = runId;
    }

    /** One effect the run would have had. {@code kind}: what it touches (email, s3, dns, trading, sql, incident...). */
    public record Effect(String kind, String effect) {
    }

    /** The dry run the calling thread is executing a step of, or empty in a real run (and outside any run). */
    public static Optional<DryRun> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Makes {@code plan} the calling thread's current dry run (null: none) and returns the one it replaces. */
    public static DryRun enter(DryRun plan) {
        DryRun before = CURRENT.get();
        if (plan == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(plan);
        }
        return before;
    }

    /** Calls {@code step} with this plan as the calling thread's current dry run, as a step of the dry run is called. */
    public <T> T call(Callable<T> step) throws Exception {
        DryRun before = enter(this);
        try {
            return step.call();
        } finally {
            enter(before);
        }
    }

    /** The run this is the plan of. */
    public long runId() {
        return runId;
    }

    /** Records an effect the run would have had, in the order the run reached it. */
    public synchronized void wouldDo(String kind, String effect) {
        effects.add(new Effect(kind, effect));
    }

    /** The effects recorded so far, in order. */
    public synchronized List<Effect> effects() {
        return List.copyOf(effects);
    }
}
