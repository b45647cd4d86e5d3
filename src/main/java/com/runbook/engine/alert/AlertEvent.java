package com.runbook.engine.alert;

import com.runbook.engine.incident.Priority;

import java.time.OffsetDateTime;
import java.util.Map;

/** One alert as received, normalised across sources; {@code status} is {@code firing} or {@code resolved}. */
record AlertEvent(String source, String fingerprint, String status, String alertname, Priority priority, String title,
                  String detail, Map<String, String> labels, Map<String, String> annotations, OffsetDateTime startsAt,
                  OffsetDateTime endsAt) {
    boolean firing() {
        return "firing".equals(status);
    }

    /** The same alert with another priority (the one {@code alert-routing} gave it). */
    AlertEvent withPriority(Priority p) {
        return new AlertEvent(source, fingerprint, status, alertname, p, title, detail, labels, annotations, startsAt, endsAt);
    }

    /** The incident key: the alert name and its fingerprint. */
    String incidentKey() {
        return alertname + "/" + fingerprint;
    }
}
