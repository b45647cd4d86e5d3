package com.runbook.engine;

import com.runbook.engine.core.IncidentRaiser;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records exactly what a feature passes to {@code incidents} (labels included, which the incident API does not show),
 * bound as "incidents" by tests that assert the raise itself; tests of paging use the real incident service.
 */
public final class RecordingIncidents implements IncidentRaiser {
    public record Raised(String key, String priority, String title, String detail, Map<String, String> labels) {
    }

    public final List<Raised> raised = new CopyOnWriteArrayList<>();
    public final List<String> resolved = new CopyOnWriteArrayList<>();

    @Override
    public long raise(String key, String priority, String title, String detail, Map<String, String> labels) {
        raised.add(new Raised(key, priority, title, detail, labels));
        return raised.size();
    }

    @Override
    public void resolve(String key, String detail) {
        resolved.add(key);
    }
}
