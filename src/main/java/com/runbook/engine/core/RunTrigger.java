package com.runbook.engine.core;

import java.util.Locale;

/** What started a run; stored in {@code job_run.run_trigger} as its lower-case name. */
public enum RunTrigger {
    /** A person, through the API, the CLI or the console. */
    MANUAL,
    /** A schedule's fire. */
    SCHEDULE,
    /** An alert, through the alert routing. */
    ALERT,
    /** The trading doors (emergency stop, trading resume). */
    TRADING,
    /** The DNS doors (failover, rollback). */
    DNS;

    /** The stored name ({@code manual}, {@code schedule}, ...). */
    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }
}
