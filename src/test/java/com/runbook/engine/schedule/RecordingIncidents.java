package com.runbook.engine.schedule;

import com.runbook.engine.incident.IncidentRaiser;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every incident raised, for tests (stands in for the incident module). */
class RecordingIncidents implements IncidentRaiser {
    record Raised(String key, String priority, String title, String detail, Map<String, String> labels) {
    }

    final List<Raised> raised = new CopyOnWriteArrayList<>();

    @Override
    public long raise(String key, String priority, String title, String detail, Map<String, String> labels) {
        raised.add(new Raised(key, priority, title, detail, labels));
        return raised.size();
    }

    @Override
    public void resolve(String key, String detail) {
    }
}
