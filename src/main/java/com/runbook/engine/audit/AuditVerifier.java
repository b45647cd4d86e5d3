package com.runbook.engine.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;

/**
 * Recomputes the chain, oldest entry first, and names the first entry that was altered, removed or reordered:
 * <ul>
 * <li>altered: an entry's content no longer gives its hash; or an entry was rewritten with a hash of its own, so the
 * next entry was chained to a hash that no entry has; or its sequence number was changed;</li>
 * <li>removed: a sequence number is missing (the entry after the gap was chained to a hash no entry has), or the
 * newest entries are gone (the trail ends before its head, {@code audit_head});</li>
 * <li>reordered: an entry was chained after an entry that exists, but not the one before it (rows' contents or
 * sequence numbers swapped).</li>
 * </ul>
 * A rewrite of the whole table and its head, hashes recomputed, is consistent here: the daily anchor in the object
 * store ({@code runbook.audit.anchor}) is what finds it.
 */
final class AuditVerifier {
    private final JdbcTemplate jdbc;
    /** Read-only: PostgreSQL streams the rows (fetch size) only inside a transaction. */
    private final TransactionTemplate reading;

    AuditVerifier(DataSource db) {
        this.jdbc = new JdbcTemplate(db);
        jdbc.setFetchSize(1000);
        this.reading = new TransactionTemplate(new DataSourceTransactionManager(db));
        reading.setReadOnly(true);
    }

    /**
     * What {@code verify} found.
     *
     * @param entries how many entries the trail holds (up to its head)
     * @param head    the newest entry's hash, when ok
     * @param anchors how many daily anchors were checked, when anchoring is on
     * @param problem the first entry found wrong, when not ok
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Verdict(boolean ok, long entries, String head, Integer anchors, Problem problem) {
    }

    /** The first entry found wrong. */
    record Problem(long seq, Kind kind, String message) {
    }

    /** How an entry was tampered with (stored in lower case). */
    enum Kind {
        ALTERED, REMOVED, REORDERED;

        @com.fasterxml.jackson.annotation.JsonValue
        String stored() {
            return name().toLowerCase();
        }
    }

    private static final class Walk {
        long entries;
        long prevSeq;
        String prevHash = AuditChain.GENESIS;
        Problem problem;
    }

    Verdict verify() {
        return reading.execute(status -> walk());
    }

    private Verdict walk() {
        // the head first: entries appended meanwhile (committed with a newer head) are left for the next verify
        AuditTrail.Head head = jdbc.queryForObject("select seq, hash from audit_head where id = 1",
                (rs, n) -> new AuditTrail.Head(rs.getLong(1), rs.getString(2)));
        Walk walk = new Walk();
        jdbc.query("select seq, at, actor, action, job, subject, detail, prev_hash, hash from audit_entry"
                + " where seq <= ? order by seq", (ResultSet rs) -> {
                    walk.entries++;   // every entry, the ones after a problem too
                    if (walk.problem == null) {
                        step(walk, rs);
                    }
                }, head.seq());
        if (walk.problem == null) {
            if (head.seq() > walk.prevSeq) {
                walk.problem = new Problem(walk.prevSeq + 1, Kind.REMOVED, "entry " + (walk.prevSeq + 1)
                        + " was removed: the trail ends at entry " + walk.prevSeq + " but its head is entry "
                        + head.seq());
            } else if (head.seq() == walk.prevSeq && !head.hash().equals(walk.prevHash)) {
                walk.problem = new Problem(walk.prevSeq, Kind.ALTERED, "entry " + walk.prevSeq
                        + " was altered: its hash is not the one the head of the trail holds");
            }
        }
        return walk.problem == null ? new Verdict(true, walk.entries, walk.prevHash, null, null)
                : new Verdict(false, walk.entries, null, null, walk.problem);
    }

    /**
     * {@code chain}'s verdict, and then (when it is ok) whether the entry each anchor names still has the anchored
     * hash: a trail rewritten as a whole, hashes and head recomputed, differs from the anchors written before.
     */
    Verdict withAnchors(Verdict chain, List<AuditAnchors.Anchor> anchors, Function<LocalDate, String> where) {
        if (!chain.ok()) {
            return new Verdict(false, chain.entries(), null, anchors.size(), chain.problem());
        }
        for (AuditAnchors.Anchor anchor : anchors) {
            List<String> hash = jdbc.queryForList("select hash from audit_entry where seq = ?", String.class,
                    anchor.seq());
            if (hash.isEmpty()) {
                return new Verdict(false, chain.entries(), null, anchors.size(), new Problem(anchor.seq(),
                        Kind.REMOVED, "entry " + anchor.seq() + " was removed: the anchor of " + anchor.day() + " ("
                        + where.apply(anchor.day()) + ") names it"));
            }
            if (!hash.get(0).equals(anchor.hash())) {
                return new Verdict(false, chain.entries(), null, anchors.size(), new Problem(anchor.seq(),
                        Kind.ALTERED, "entry " + anchor.seq() + " was altered: its hash is not the one anchored on "
                        + anchor.day() + " (" + where.apply(anchor.day()) + "): the trail was rewritten"));
            }
        }
        return new Verdict(true, chain.entries(), chain.head(), anchors.size(), null);
    }

    private void step(Walk walk, ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        OffsetDateTime at = rs.getObject(2, OffsetDateTime.class);
        String prevHash = rs.getString(8);
        String hash = rs.getString(9);
        String computed = AuditChain.hash(at.toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), prevHash);
        if (!computed.equals(hash)) {
            walk.problem = new Problem(seq, Kind.ALTERED, "entry " + seq
                    + " was altered: its content does not give its hash");
            return;
        }
        if (!prevHash.equals(walk.prevHash)) {
            List<Long> chainedAfter = jdbc.queryForList("select seq from audit_entry where hash = ? order by seq",
                    Long.class, prevHash);
            if (!chainedAfter.isEmpty()) {
                walk.problem = new Problem(seq, Kind.REORDERED, "entry " + seq + " is out of order: it was chained"
                        + " after entry " + chainedAfter.get(0) + ", not after entry " + walk.prevSeq);
            } else if (seq == 1) {
                walk.problem = new Problem(seq, Kind.ALTERED, "entry 1 was altered: it was chained to an entry"
                        + " that is not in the trail, not to the start of the trail");
            } else if (seq == walk.prevSeq + 1) {
                walk.problem = new Problem(walk.prevSeq, Kind.ALTERED, "entry " + walk.prevSeq + " was altered:"
                        + " its hash is not the one entry " + seq + " was chained to");
            } else {
                walk.problem = new Problem(walk.prevSeq + 1, Kind.REMOVED, "entry " + (walk.prevSeq + 1)
                        + " was removed: entry " + seq + " was chained to an entry that is not in the trail");
            }
            return;
        }
        if (seq != walk.prevSeq + 1) {
            walk.problem = new Problem(seq, Kind.ALTERED, "entry " + seq + " was altered: its sequence number"
                    + " does not follow entry " + walk.prevSeq + ", the entry it was chained after");
            return;
        }
        walk.prevSeq = seq;
        walk.prevHash = hash;
    }
}
