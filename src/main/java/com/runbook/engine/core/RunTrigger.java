package com.runbook.engine.core;

import java.util.Locale;

/** What started a run; stored in {@code job_run.run_trigger} as its lower-case name. */
public enum RunTrigger {
    /** A person, through the API (the jobs and trading doors), the CLI or the console. */
    MANUAL,
    /** A schedule's fire. */
    SCHEDULE,
    /** A schedule's fire that was missed (engine down, no free thread) and made up ({@code misfire: fire-once-now}). */
    MISFIRE,
    /** An alert, through the alert routing. */
    ALERT,
    /** The DNS doors (failover, rollback); recorded in {@code dns_change} as by {@code api}. */
    DNS,
    /**
     * A rehearsal a person asked for ({@code dryRun: true}, {@code --dry-run}, the console's Rehearse button): the real
     * route with real reads and no side effect; what it would have done is its plan (see {@link DryRun}).
     */
    DRY_RUN;

    /** The stored name ({@code manual}, {@code schedule}, {@code dry-run}, ...). */
    public String stored() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
