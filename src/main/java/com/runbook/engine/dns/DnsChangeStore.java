package com.runbook.engine.dns;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.CurrentRun;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes {@code dns_change}. A change that touched the record (applied, or rolled back after it could not
 * be verified) is recorded with its audit entry ({@code dns.changed}, or {@code dns.rolled-back} for a rollback) in one
 * transaction. The change at the DNS provider cannot share a database transaction: its entry is written with the row
 * that records its outcome, after the provider answered, so a crash between the two leaves neither (the run is then
 * abandoned as failed at the next start, and its {@code run.started} entry says who asked). The actor is the run's
 * (the {@code actor} of the run's thread), the engine's DNS part outside a run.
 */
public final class DnsChangeStore {
    private static final String COLUMNS = "id, action, record_name, record_type, provider, target, old_value, new_value,"
            + " ttl, outcome, triggered_by, detail, started_at, finished_at, precheck_ms, change_ms, verify_ms";
    private final JdbcTemplate jdbc;
    private final Audit audit;
    private final TransactionTemplate transactions;

    /** A store that reads and records no change (its {@link #insert} refuses): tests and the list door. */
    public DnsChangeStore(DataSource dataSource) {
        this(dataSource, entry -> {
            throw new IllegalStateException("this dns_change store only reads: it has no audit trail to record a change in");
        });
    }

    public DnsChangeStore(DataSource dataSource, Audit audit) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.audit = audit;
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** One attempt, as it ended. */
    record Change(String action, String name, String type, String provider, String target, String oldValue,
                         String newValue, long ttl, String outcome, String triggeredBy, String detail, Instant startedAt,
                         Long precheckMs, Long changeMs, Long verifyMs) {
    }

    /** Inserts the row of an attempt, with its audit entry when it touched the record (see the class). */
    long insert(Change c) {
        if (!touched(c)) {
            return insertRow(c);
        }
        Actor actor = CurrentRun.actor("dns");
        String job = CurrentRun.job();
        Long runId = CurrentRun.id();
        return transactions.execute(tx -> {
            long id = insertRow(c);
            audit.record(entry(c, id, actor, job, runId));
            return id;
        });
    }

    /** Whether the attempt changed the record at the provider (an entry is due): applied, or rolled back. */
    static boolean touched(Change c) {
        return "applied".equals(c.outcome()) || "rolled-back".equals(c.outcome());
    }

    /**
     * The entry of a change: {@code dns.changed} for a failover, {@code dns.rolled-back} for a rollback; subject the
     * record ({@code trading.example.com. A}); detail the change's row, outcome, provider, target, old and new values,
     * TTL and what was verified (or why it was rolled back).
     */
    static AuditEntry entry(Change c, long id, Actor actor, String job, Long runId) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (runId != null) {
            detail.put("runId", runId);
        }
        detail.put("changeId", id);
        detail.put("outcome", c.outcome());
        detail.put("provider", c.provider());
        if (c.target() != null) {
            detail.put("target", c.target());
        }
        detail.put("oldValue", c.oldValue());
        detail.put("newValue", c.newValue());
        detail.put("ttl", c.ttl());
        detail.put("message", c.detail());
        return new AuditEntry("rollback".equals(c.action()) ? AuditAction.DNS_ROLLED_BACK : AuditAction.DNS_CHANGED, actor,
                job, c.name() + " " + c.type(), detail);
    }

    private long insertRow(Change c) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("insert into dns_change (action, record_name, record_type, provider,"
                    + " target, old_value, new_value, ttl, outcome, triggered_by, detail, started_at, finished_at, precheck_ms,"
                    + " change_ms, verify_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
            ps.setString(1, c.action());
            ps.setString(2, c.name());
            ps.setString(3, c.type());
            ps.setString(4, c.provider());
            ps.setString(5, c.target());
            ps.setString(6, c.oldValue());
            ps.setString(7, c.newValue());
            ps.setLong(8, c.ttl());
            ps.setString(9, c.outcome());
            ps.setString(10, c.triggeredBy());
            ps.setString(11, c.detail() == null || c.detail().length() <= 4000 ? c.detail() : c.detail().substring(0, 4000));
            ps.setObject(12, c.startedAt().atOffset(ZoneOffset.UTC));
            ps.setObject(13, OffsetDateTime.now(ZoneOffset.UTC));
            setLong(ps, 14, c.precheckMs());
            setLong(ps, 15, c.changeMs());
            setLong(ps, 16, c.verifyMs());
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    /** A change that was applied: what it replaced, and when it ended. */
    record Applied(long id, String oldValue, Instant finishedAt) {
    }

    /** The newest change that was applied to the record (failover or rollback). */
    Optional<Applied> lastApplied(String name, String type) {
        return jdbc.query("select id, old_value, finished_at from dns_change where record_name = ? and record_type = ?"
                + " and outcome = 'applied' order by id desc fetch first 1 rows only", (rs, n) -> new Applied(rs.getLong(1),
                rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()), name, type).stream().findFirst();
    }

    public List<Map<String, Object>> list(int limit) {
        return jdbc.query("select " + COLUMNS + " from dns_change order by id desc fetch first ? rows only", DnsChangeStore::row, limit);
    }

    private static Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("action", rs.getString("action"));
        m.put("record", rs.getString("record_name"));
        m.put("type", rs.getString("record_type"));
        m.put("provider", rs.getString("provider"));
        m.put("target", rs.getString("target"));
        m.put("oldValue", rs.getString("old_value"));
        m.put("newValue", rs.getString("new_value"));
        m.put("ttl", rs.getLong("ttl"));
        m.put("outcome", rs.getString("outcome"));
        m.put("triggeredBy", rs.getString("triggered_by"));
        m.put("detail", rs.getString("detail"));
        m.put("startedAt", rs.getObject("started_at", OffsetDateTime.class).toInstant().toString());
        m.put("finishedAt", rs.getObject("finished_at", OffsetDateTime.class).toInstant().toString());
        m.put("precheckMs", rs.getObject("precheck_ms"));
        m.put("changeMs", rs.getObject("change_ms"));
        m.put("verifyMs", rs.getObject("verify_ms"));
        return m;
    }
}
