package com.runbook.engine.audit;

import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditEntry;

import javax.sql.DataSource;

/** The engine's audit trail in its database (table {@code audit_entry}). */
public final class AuditTrail implements Audit {
    private final DataSource db;

    public AuditTrail(DataSource db) {
        this.db = db;
    }

    @Override
    public void record(AuditEntry entry) {
        // to be written: chained into the current transaction just before it commits
    }
}
