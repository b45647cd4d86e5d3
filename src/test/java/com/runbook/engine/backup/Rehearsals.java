package com.runbook.engine.backup;

import com.runbook.engine.core.Actor;
import com.runbook.engine.Engine;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunTrigger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dry runs of the data jobs for the rehearsal tests: starts one through the run starter (trigger dry-run), waits for
 * its end, and reads its plan from the run log; compares tables leaving out the run's own rows.
 */
public final class Rehearsals {
    private final Engine engine;

    private Rehearsals(Engine engine) {
        this.engine = engine;
    }

    public static Rehearsals of(Engine engine) {
        return new Rehearsals(engine);
    }

    /** Runs {@code job} as a dry run and waits for its end. */
    public RunEnd dryRun(String job, Map<String, Object> params) throws InterruptedException {
        return engine.runner().startWatched(job, RunTrigger.DRY_RUN, params, Actor.engine("test")).await(Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("the dry run of " + job + " did not end within 3 minutes"));
    }

    /** Runs {@code job} for real (trigger manual) and waits for its end. */
    public RunEnd realRun(String job, Map<String, Object> params) throws InterruptedException {
        return engine.runner().startWatched(job, RunTrigger.MANUAL, params, Actor.engine("test")).await(Duration.ofMinutes(3))
                .orElseThrow(() -> new AssertionError("the run of " + job + " did not end within 3 minutes"));
    }

    /** The run's plan, as stored with it. */
    public List<DryRun.Effect> plan(long runId) {
        return engine.runs().plan(runId);
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
