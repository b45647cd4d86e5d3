package com.runbook.engine.core;

import java.util.Locale;

/** How a run stands; stored in {@code job_run.status} as its lower-case name. */
public enum RunStatus {
    /** Started and not ended yet. */
    RUNNING,
    /** Its route returned without an exception. */
    SUCCEEDED,
    /** Its route threw, timed out, was stopped under it, or its engine process ended without finishing it. */
    FAILED,
    /** A scheduled fire that did not run (overlap, misfire); the reason is the run's error. */
    SKIPPED;

    /** The stored name ({@code running}, {@code succeeded}, ...). */
    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status of a stored name. */
    public static RunStatus of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }
}
