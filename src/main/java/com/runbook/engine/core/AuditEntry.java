package com.runbook.engine.core;

import java.util.Map;

/**
 * One change of state, as a module records it ({@link Audit#record}); the trail adds its sequence number, time and the
 * hashes that chain it to the entry before.
 *
 * @param action  what changed
 * @param actor   who or what changed it
 * @param job     the runbook it concerns, or null
 * @param subject what it changed, in words a person searches for: {@code run 42}, {@code incident 7},
 *                {@code trading.example.com A}, {@code token alice}, {@code routes/nightly-backup.camel.yaml}
 * @param detail  the facts of the change (parameters with secrets masked, old and new values, SHA-256, diff); values
 *                are strings, numbers, booleans, lists or maps (stored as JSON, keys in insertion order)
 */
public record AuditEntry(AuditAction action, Actor actor, String job, String subject, Map<String, Object> detail) {
    public AuditEntry {
        detail = detail == null ? Map.of() : detail;
    }
}
