package com.runbook.engine.incident;

import com.fasterxml.jackson.annotation.JsonValue;
import com.runbook.engine.core.Refused;

import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * One incident as stored and listed ({@code GET /api/incidents}, in this order).
 *
 * @param key           the dedupe key ({@code alertname/fingerprint}, {@code BackupFailed/engine-db}, ...)
 * @param pagedChannels the targets paged so far, comma-separated ({@code channel} or {@code channel=recipient})
 * @param runId         the run that opened it (its story: {@code GET /api/runs/{runId}}), null when no run did
 */
public record Incident(long id, String key, Priority priority, Status status, String title, String detail,
                       OffsetDateTime openedAt, OffsetDateTime acknowledgedAt, String acknowledgedBy,
                       OffsetDateTime escalatedAt, OffsetDateTime resolvedAt, boolean duringMaintenance,
                       int occurrences, String pagedChannels, OffsetDateTime lastPagedAt, Long runId) {
    /** Where an incident stands; stored and shown by its lower-case name. */
    public enum Status {
        OPEN, ACKNOWLEDGED, RESOLVED;

        /** The stored name: {@code open}, {@code acknowledged}, {@code resolved}. */
        @JsonValue
        public String stored() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Status ofStored(String stored) {
            return valueOf(stored.toUpperCase(Locale.ROOT));
        }

        /** A status asked for by name ({@code ?status=}): exactly a stored name, else refused. */
        static Status parse(String text) {
            for (Status s : values()) {
                if (s.stored().equals(text)) {
                    return s;
                }
            }
            throw Refused.invalid("status must be open, acknowledged or resolved (was '" + text + "')");
        }
    }
}
