package com.runbook.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.text.Json;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's audit trail in its database (table {@code audit_entry}, head {@code audit_head}).
 * <p>
 * {@link #record} keeps the entry with the calling thread's transaction (a Spring transaction on the engine
 * {@link DataSource}: a {@code GroupCommit} unit, or a {@code TransactionTemplate}); just before that transaction
 * commits ({@link TransactionSynchronization#beforeCommit}, ordered last) its entries are chained: the chain lock (the
 * row lock of {@code audit_head}) is taken, each entry gets the next sequence number, the commit time and the hash of
 * its canonical JSON with the previous entry's hash, and the rows are inserted. Taking the lock as the transaction's
 * LAST statement means its holder never waits for another lock, so it cannot deadlock with the group commit lanes or
 * the incident transactions; it is held only for those few statements and the commit.
 * <p>
 * A transaction that rolls back takes its entries with it (they were never written). A savepoint rolled back (a
 * group commit unit that threw, a {@code PROPAGATION_NESTED} transaction) drops the entries recorded after it:
 * Spring tells every synchronization of a savepoint's creation and rollback; a savepoint created before this
 * transaction's first entry (unknown to it) precedes all of them.
 */
public final class AuditTrail implements Audit {
    /** The longest detail (JSON text) an entry may have: the column's size. */
    static final int MAX_DETAIL = 1_000_000;

    private final DataSource db;
    private final Clock clock;
    /** This trail's key for the pending entries bound to a transaction. */
    private final Object key = new Object();

    /** The trail of {@code db}, entries timed by the system clock (UTC). */
    public AuditTrail(DataSource db) {
        this(db, Clock.systemUTC());
    }

    /** The trail of {@code db}, entries timed by {@code clock} (tests). */
    public AuditTrail(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void record(AuditEntry entry) {
        if (entry == null || entry.action() == null || entry.actor() == null) {
            throw new IllegalArgumentException("an audit entry needs an action and an actor: " + entry);
        }
        if (!TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.isActualTransactionActive()
                || TransactionSynchronizationManager.getResource(db) == null) {
            throw new IllegalStateException("audit entry " + entry.action().stored() + " recorded outside a"
                    + " transaction on the engine database: record it in the transaction of the change it describes");
        }
        String detail;
        try {
            detail = Json.MAPPER.writeValueAsString(entry.detail());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit entry " + entry.action().stored() + ": its detail is not JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (detail.length() > MAX_DETAIL) {
            throw new IllegalArgumentException("audit entry " + entry.action().stored() + ": its detail has "
                    + detail.length() + " characters, more than " + MAX_DETAIL + " (shorten the diff)");
        }
        pending().add(new Pending(entry.action().stored(), entry.actor().id(), entry.job(), entry.subject(), detail));
    }

    /** This transaction's entries, bound to it at its first entry. */
    private List<Pending> pending() {
        Chainer chainer = (Chainer) TransactionSynchronizationManager.getResource(key);
        if (chainer == null) {
            chainer = new Chainer();
            TransactionSynchronizationManager.bindResource(key, chainer);
            TransactionSynchronizationManager.registerSynchronization(chainer);
        }
        return chainer.entries;
    }

    /** An entry recorded in a transaction not yet committed. */
    private record Pending(String action, String actor, String job, String subject, String detail) {
    }

    /** Chains one transaction's entries just before it commits; drops those of a savepoint rolled back. */
    private final class Chainer implements TransactionSynchronization {
        final List<Pending> entries = new ArrayList<>();
        /** How many entries there were when each savepoint (created since the first entry) was taken. */
        final Map<Object, Integer> marks = new IdentityHashMap<>();

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }

        @Override
        public void savepoint(Object savepoint) {
            marks.put(savepoint, entries.size());
        }

        @Override
        public void savepointRollback(Object savepoint) {
            Integer mark = marks.remove(savepoint);
            entries.subList(mark == null ? 0 : mark, entries.size()).clear();
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            if (!entries.isEmpty()) {
                append(entries);
            }
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(key);
        }
    }

    /** Appends {@code entries} to the chain in the current transaction, holding the chain lock until it ends. */
    private void append(List<Pending> entries) {
        JdbcTemplate jdbc = new JdbcTemplate(db);
        Head head = jdbc.queryForObject("select seq, hash from audit_head where id = 1 for update",
                (rs, n) -> new Head(rs.getLong(1), rs.getString(2)));
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        long seq = head.seq();
        String prev = head.hash();
        List<Object[]> rows = new ArrayList<>(entries.size());
        for (Pending e : entries) {
            seq++;
            String hash = AuditChain.hash(at, e.actor(), e.action(), e.job(), e.subject(), e.detail(), prev);
            rows.add(new Object[]{seq, at.atOffset(ZoneOffset.UTC), e.actor(), e.action(), e.job(), e.subject(),
                    e.detail(), prev, hash});
            prev = hash;
        }
        jdbc.batchUpdate("insert into audit_entry (seq, at, actor, action, job, subject, detail, prev_hash, hash)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        jdbc.update("update audit_head set seq = ?, hash = ? where id = 1", seq, prev);
    }

    /** The chain's last entry: its seq and hash (0 and {@link AuditChain#GENESIS} when empty). */
    record Head(long seq, String hash) {
    }
}
