package com.runbook.engine.backup;

import com.runbook.engine.Engine;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.run.JobRunner;
import org.apache.camel.Exchange;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dry runs of the data jobs for the rehearsal tests: starts one through the run starter (trigger dry-run), waits for
 * its end, and reads its plan from the run log ({@code RunLog.plan}, the dry-run module's).
 * <p>Until the dry-run module is merged, nothing makes a dry run's plan: {@link #install} adds a run scope that does
 * (plan as the thread's current one and as the exchange property) only for a dry run no other scope gave a plan, and
 * keeps it for {@link #plan}. With the dry-run module in the engine it never acts, and the plan comes from the run
 * log. It stands in for the plan only: the recorders of remote endpoints, the outbox and the incident service are the
 * dry-run module's, so what the tests say about them needs it.
 */
public final class Rehearsals {
    private final Engine engine;
    private final Map<Long, DryRun> made = new ConcurrentHashMap<>();

    private Rehearsals(Engine engine) {
        this.engine = engine;
    }

    public static Rehearsals install(Engine engine) {
        Rehearsals r = new Rehearsals(engine);
        engine.runner().addScope(new JobRunner.RunScope() {
            private final ThreadLocal<Boolean> mine = new ThreadLocal<>();

            @Override
            public void entered(long runId, String job, String trigger, Exchange exchange) {
                if (!RunTrigger.DRY_RUN.stored().equals(trigger) || DryRun.current().isPresent()
                        || exchange.getProperty(DryRun.PROPERTY) != null) {
                    return;
                }
                DryRun plan = new DryRun(runId);
                r.made.put(runId, plan);
                exchange.setProperty(DryRun.PROPERTY, plan);
                DryRun.enter(plan);
                mine.set(true);
            }

            @Override
            public void left(long runId, String job, RunStatus status, Throwable failure) {
                if (mine.get() != null) {
                    mine.remove();
                    DryRun.enter(null);
                }
            }
        });
        return r;
    }

    /** Runs {@code job} as a dry run and waits for its end. */
    public RunEnd dryRun(String job, Map<String, Object> params) throws InterruptedException {
        return engine.runner().startWatched(job, RunTrigger.DRY_RUN, params).await(Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("the dry run of " + job + " did not end within 3 minutes"));
    }

    /** Runs {@code job} for real (trigger manual) and waits for its end. */
    public RunEnd realRun(String job, Map<String, Object> params) throws InterruptedException {
        return engine.runner().startWatched(job, RunTrigger.MANUAL, params).await(Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("the run of " + job + " did not end within 3 minutes"));
    }

    /** The run's plan: the run log's (with the dry-run module), else the one {@link #install}'s scope made. */
    public List<DryRun.Effect> plan(long runId) {
        List<DryRun.Effect> stored = engine.runs().plan(runId);
        if (!stored.isEmpty()) {
            return stored;
        }
        DryRun made = this.made.get(runId);
        return made == null ? List.of() : made.effects();
    }

    /**
     * Every row of every table of {@code db} but the run's own rows (job_run, its overlap lock in job_lock, and the
     * run_* tables of its timeline, log and plan) and {@code alsoExcept}.
     */
    public static Map<String, List<String>> tables(DataSource db, String... alsoExcept) throws Exception {
        Map<String, List<String>> all = TableSnapshot.of(db, Set.of("job_run", "job_lock"));
        all.keySet().removeIf(t -> t.startsWith("run_") || Set.of(alsoExcept).contains(t));
        return all;
    }

    /**
     * Fails, naming each table that changed with its rows added and removed (each cut to 300 characters), unless
     * {@code after} equals {@code before}.
     */
    public static void assertUnchanged(String what, Map<String, List<String>> before, Map<String, List<String>> after) {
        List<String> changes = new ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String t : names) {
            List<String> was = before.getOrDefault(t, List.of());
            List<String> is = after.getOrDefault(t, List.of());
            if (was.equals(is)) {
                continue;
            }
            List<String> added = new ArrayList<>(is);
            added.removeAll(was);
            List<String> removed = new ArrayList<>(was);
            removed.removeAll(is);
            changes.add(t + ": " + added.size() + " row(s) added " + cut(added) + ", " + removed.size() + " removed " + cut(removed));
        }
        if (!changes.isEmpty()) {
            throw new AssertionError(what + " changed:\n  " + String.join("\n  ", changes));
        }
    }

    private static String cut(List<String> rows) {
        return rows.stream().limit(3).map(r -> r.length() > 300 ? r.substring(0, 300) + "..." : r).toList().toString();
    }
}
