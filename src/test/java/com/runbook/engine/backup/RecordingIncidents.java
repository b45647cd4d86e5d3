package com.runbook.engine.backup;

import com.runbook.engine.incident.IncidentRaiser;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what features raise and resolve, until the incident module lands (bound as "incidents" in tests). */
final class RecordingIncidents implements IncidentRaiser {
    record Raised(String key, String priority, String title, String detail, Map<String, String> labels) {
    }

    final List<Raised> raised = new CopyOnWriteArrayList<>();
    final List<String> resolved = new CopyOnWriteArrayList<>();

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
