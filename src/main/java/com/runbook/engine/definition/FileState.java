package com.runbook.engine.definition;

import java.time.Instant;
import java.util.List;

/**
 * Where one file of {@code routes/} or {@code schedules/} stands: {@code applied}, or {@code refused} with its
 * problems; {@code since} is when it last changed to this state, and {@code previousVersionRunning} says whether an
 * earlier version of a refused file is still in force.
 */
public record FileState(String file, String status, Instant since, List<String> problems, boolean previousVersionRunning) {
    static final String APPLIED = "applied";
    static final String REFUSED = "refused";

    public boolean refused() {
        return REFUSED.equals(status);
    }

    /** The same verdict as {@code other} (what {@code since} is kept across). */
    boolean sameAs(FileState other) {
        return other != null && status.equals(other.status) && problems.equals(other.problems)
                && previousVersionRunning == other.previousVersionRunning;
    }
}
