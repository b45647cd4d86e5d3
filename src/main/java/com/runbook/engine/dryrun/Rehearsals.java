package com.runbook.engine.dryrun;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.run.JobRunner;
import com.runbook.engine.run.Story;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run scope of dry runs: when a run with trigger {@code dry-run} starts, its plan becomes the exchange property
 * {@link DryRun#PROPERTY} (which follows the exchange and its copies onto every thread) and the run thread's current
 * plan. The plan is stored with the run as it grows (after each guarded step that recorded effects: the API shows a
 * running dry run's plan so far) and when its route returned, also when the dry run failed (what it would have done
 * up to the failure); an effect recorded after that (a wireTap's copy, still on its thread) is stored then.
 */
final class Rehearsals implements JobRunner.RunScope {
    private static final Logger LOG = LoggerFactory.getLogger(Rehearsals.class);
    private final PlanStore store;
    /** The dry runs going on: their plan, and the plan their thread had before (restored when they end). */
    private final Map<Long, Held> going = new ConcurrentHashMap<>();

    private record Held(DryRun plan, DryRun before) {
    }

    /** Each dry run's plan, with how many of its effects are stored. Weak: a plan goes with its run. */
    private final Map<DryRun, Integer> stored = new java.util.WeakHashMap<>();
    /** Each dry run's story: its secret parameters' values are masked in the stored plan. Weak, as {@link #stored}. */
    private final Map<DryRun, Story> stories = new java.util.WeakHashMap<>();

    Rehearsals(PlanStore store) {
        this.store = store;
    }

    @Override
    public void entered(long runId, String job, String trigger, Exchange exchange) {
        if (!RunTrigger.DRY_RUN.stored().equals(trigger)) {
            return;
        }
        DryRun plan = new DryRun(runId);
        exchange.setProperty(DryRun.PROPERTY, plan);
        synchronized (stored) {
            stored.put(plan, 0);
            if (exchange.getProperty(Story.PROPERTY) instanceof Story story) {
                stories.put(plan, story);
            }
        }
        going.put(runId, new Held(plan, DryRun.enter(plan)));
    }

    @Override
    public void left(long runId, String job, RunStatus status, Throwable failure) {
        Held held = going.remove(runId);
        if (held == null) {
            return;
        }
        DryRun.enter(held.before());
        recorded(held.plan());
        int effects = held.plan().effects().size();
        LOG.info("Dry run {} of {} {}: {} effect(s) planned, none performed", runId, job,
                status == RunStatus.SUCCEEDED ? "succeeded" : "failed", effects);
    }

    /** Told after a guarded step ran in a dry run: stores the effects of {@code plan} not stored yet. */
    void recorded(DryRun plan) {
        synchronized (stored) {
            Integer saved = stored.get(plan);
            List<DryRun.Effect> effects = plan.effects();
            if (saved != null && effects.size() > saved) {
                Story story = stories.get(plan);
                List<DryRun.Effect> fresh = effects.subList(saved, effects.size()).stream().map(e -> story == null ? e
                        : new DryRun.Effect(e.kind(), story.masked(e.effect()))).toList();
                store.save(plan.runId(), fresh, saved);
                stored.put(plan, effects.size());
            }
        }
    }
}
