package com.runbook.engine.core;

import java.util.Map;

/**
 * What runbooks and engine features use to open and close incidents without knowing how they are paged.
 * Bound in the Camel registry as {@code incidents}; YAML routes call it with {@code bean:incidents?method=raise(...)}.
 */
public interface IncidentRaiser {
    /**
     * Opens an incident, or updates the open one with the same {@code key} (no second page).
     *
     * @param key      dedupe key, e.g. {@code BackupFailed/engine-db}
     * @param priority P1..P4
     * @param title    one line for the page
     * @param detail   what happened, for the body of the page
     * @param labels   free-form labels recorded with the incident (job, source, region, ...)
     * @return the incident id
     */
    long raise(String key, String priority, String title, String detail, Map<String, String> labels);

    /** Resolves the open incident with that key, if there is one, and notifies the channels that were paged. */
    void resolve(String key, String detail);
}
