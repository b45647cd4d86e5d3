package com.runbook.engine;

import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditEntry;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link Audit} contract without the chain, for unit tests of the places that record (a run store, a door without
 * an engine): an entry needs an active transaction on the calling thread, and is kept only once that transaction
 * committed (gone when it rolls back). End-to-end tests read the real trail ({@code audit_entry}).
 */
public final class RecordingAudit implements Audit {
    public final List<AuditEntry> committed = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEntry entry) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("no transaction: an audit entry is recorded in the transaction of its change");
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status == STATUS_COMMITTED) {
                    committed.add(entry);
                }
            }
        });
    }
}
