package com.runbook.engine.core;

/**
 * The audit trail: append-only and hash-chained. A module records an entry in the SAME database transaction as the
 * change it describes (a {@code GroupCommit} unit, or a Spring transaction on the engine database), so the change and
 * its entry commit together or not at all.
 */
@FunctionalInterface
public interface Audit {
    /**
     * Adds {@code entry} to the current transaction; it is chained (sequence number, previous hash) just before that
     * transaction commits, and vanishes with it when it rolls back.
     *
     * @throws IllegalStateException when no transaction is active on the calling thread
     */
    void record(AuditEntry entry);
}
