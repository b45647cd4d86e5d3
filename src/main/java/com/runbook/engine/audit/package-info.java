/**
 * The audit trail: every change of state as an append-only, hash-chained entry written in the transaction of the
 * change, its API and its verification.
 * <ul>
 * <li>{@link com.runbook.engine.audit.AuditTrail} ({@code parts.audit()}): {@code record} keeps an entry with the
 * calling thread's Spring transaction on the engine database (a {@code GroupCommit} unit or a
 * {@code TransactionTemplate}); just before it commits, under the chain lock ({@code audit_head}'s row, taken last),
 * the entries get their seq, time and hash and are inserted. Rolled back, or rolled back to a savepoint taken before
 * them, they are gone.</li>
 * <li>{@code AuditChain}: SHA-256 of the entry's canonical JSON (sorted keys, previous hash included).</li>
 * <li>{@code AuditVerifier}: the first entry altered, removed or reordered; {@code AuditAnchors}: each finished UTC
 * day's final hash in the backup object store ({@code runbook.audit.anchor}), which finds a whole-trail rewrite.</li>
 * <li>{@link com.runbook.engine.audit.AuditModule}: {@code GET /api/audit} and {@code GET /api/audit/verify}.</li>
 * </ul>
 * {@code FileVersions} (the last applied content of each runbook file, for reload entries' diffs) belongs to the
 * reload side of #23.
 */
package com.runbook.engine.audit;
