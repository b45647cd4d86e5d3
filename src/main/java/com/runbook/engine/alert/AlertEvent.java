package com.runbook.engine.alert;

import java.time.OffsetDateTime;
import java.util.Map;

/** One alert as received, normalised across sources. */
public record AlertEvent(String source, String fingerprint, String status, String alertname, String priority,
                         String title, String detail, Map<String, String> labels, Map<String, String> annotations,
                         OffsetDateTime startsAt, OffsetDateTime endsAt) {
    public boolean firing() {
        return "firing".equals(status);
    }

    /** The same alert with another priority (the one {@code alert-routing} gave it). */
    public AlertEvent withPriority(String p) {
        return new AlertEvent(source, fingerprint, status, alertname, p, title, detail, labels, annotations, startsAt, endsAt);
    }

    /** The incident key: the alert name and its fingerprint. */
    public String incidentKey() {
        return alertname + "/" + fingerprint;
    }
}
