package com.runbook.engine.access;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.Refused;
import com.runbook.engine.definition.Role;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Personal API tokens in the engine database (table {@code api_token}): created, listed, revoked, and looked up at
 * every request. A token's text is shown once, when it is created; the table holds its keyed hash only. Each creation
 * and revocation records its audit entry in the same transaction as the row's change.
 */
final class TokenStore {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String COLUMNS = "name, token_id, token_hash, role, created_at, created_by, expires_at,"
            + " revoked_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TokenText texts;
    private final Audit audit;
    private final Clock clock;

    TokenStore(DataSource db, TokenText texts, Audit audit, Clock clock) {
        this.jdbc = new JdbcTemplate(db);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(db));
        this.texts = texts;
        this.audit = audit;
        this.clock = clock;
    }

    /** One row: never the token's text; its hash stays in this package. */
    record Row(String name, String id, String hash, Role role, Instant createdAt, String createdBy, Instant expiresAt,
               Instant revokedAt) {
        TokenStatus status(Instant now) {
            if (revokedAt != null) {
                return TokenStatus.REVOKED;
            }
            return expiresAt != null && !now.isBefore(expiresAt) ? TokenStatus.EXPIRED : TokenStatus.ACTIVE;
        }

        @Override
        public String toString() {
            return "token " + name + " (" + id + ")";
        }
    }

    /** A token as {@code GET /api/tokens} lists it: never its text or hash. */
    record Listed(String name, String role, String createdAt, String createdBy, String expiresAt, String revokedAt,
                  String status) {
    }

    /** A token just created: the only time its text is shown. */
    record Created(String name, String role, String token, String createdAt, String expiresAt) {
        @Override
        public String toString() {
            return "token " + name;
        }
    }

    /** The token's row found by the public id in its text, or empty. */
    Optional<Row> byId(String id) {
        return jdbc.query("select " + COLUMNS + " from api_token where token_id = ?", ROW, id).stream().findFirst();
    }

    /** True when {@code text} is the token of {@code row} (constant-time comparison of the keyed hashes). */
    boolean matches(Row row, String text) {
        return texts.matches(text, row.hash());
    }

    /** Every token, by name. */
    List<Listed> list() {
        Instant now = clock.instant();
        return jdbc.query("select " + COLUMNS + " from api_token order by name", ROW).stream()
                .map(r -> new Listed(r.name(), r.role().stored(), iso(r.createdAt()), r.createdBy(),
                        iso(r.expiresAt()), iso(r.revokedAt()), r.status(now).stored()))
                .toList();
    }

    /**
     * Creates the token {@code name} with {@code role}, expiring after {@code expires} (never when empty), on behalf of
     * {@code by}. A name whose token is revoked or expired gets a new token (the audit trail keeps the old one's story).
     *
     * @throws Refused INVALID for a bad name, CONFLICT when {@code name}'s token is active
     */
    Created create(String name, Role role, Optional<Duration> expires, Actor by) {
        checkName(name);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expiresAt = expires.map(now::plus).orElse(null);
        TokenText.Fresh fresh = TokenText.generate();
        String hash = texts.hash(fresh.text());
        try {
            tx.executeWithoutResult(status -> {
                Optional<Row> old = jdbc.query("select " + COLUMNS + " from api_token where name = ? for update", ROW,
                        name).stream().findFirst();
                if (old.isPresent() && old.get().status(now) == TokenStatus.ACTIVE) {
                    throw new Refused(Refused.Reason.CONFLICT, "token '" + name + "' already exists and is active:"
                            + " revoke it first (runbook token revoke " + name + ")");
                }
                if (old.isPresent()) {
                    jdbc.update("update api_token set token_id = ?, token_hash = ?, role = ?, created_at = ?,"
                                    + " created_by = ?, expires_at = ?, revoked_at = null, revoked_by = null where name = ?",
                            fresh.id(), hash, role.stored(), utc(now), by.id(), utc(expiresAt), name);
                } else {
                    jdbc.update("insert into api_token (name, token_id, token_hash, role, created_at, created_by,"
                                    + " expires_at) values (?, ?, ?, ?, ?, ?, ?)",
                            name, fresh.id(), hash, role.stored(), utc(now), by.id(), utc(expiresAt));
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("name", name);
                detail.put("role", role.stored());
                detail.put("expiresAt", iso(expiresAt));
                old.ifPresent(o -> detail.put("replaces", o.status(now).stored()));
                audit.record(new AuditEntry(AuditAction.TOKEN_CREATED, by, null, "token " + name, detail));
            });
        } catch (DuplicateKeyException e) {   // created at the same moment by another request
            throw new Refused(Refused.Reason.CONFLICT, "token '" + name + "' already exists and is active:"
                    + " revoke it first (runbook token revoke " + name + ")");
        }
        return new Created(name, role.stored(), fresh.text(), iso(now), iso(expiresAt));
    }

    /**
     * Revokes {@code name}'s token on behalf of {@code by}: it stops working at the next request.
     *
     * @return when it was revoked
     * @throws Refused NOT_FOUND for an unknown name, CONFLICT when it was revoked already
     */
    Instant revoke(String name, Actor by) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        tx.executeWithoutResult(status -> {
            Row row = jdbc.query("select " + COLUMNS + " from api_token where name = ? for update", ROW, name)
                    .stream().findFirst()
                    .orElseThrow(() -> new Refused(Refused.Reason.NOT_FOUND, "no token named '" + name + "'"));
            if (row.revokedAt() != null) {
                throw new Refused(Refused.Reason.CONFLICT, "token '" + name + "' was already revoked at "
                        + row.revokedAt());
            }
            jdbc.update("update api_token set revoked_at = ?, revoked_by = ? where name = ?", utc(now), by.id(), name);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("name", name);
            detail.put("role", row.role().stored());
            detail.put("wasExpired", row.status(now) == TokenStatus.EXPIRED);
            audit.record(new AuditEntry(AuditAction.TOKEN_REVOKED, by, null, "token " + name, detail));
        });
        return now;
    }

    /** @throws Refused INVALID unless {@code name} is a token's name (and not the bootstrap token's) */
    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw Refused.invalid("a token's name is 1 to 64 characters: lower-case letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit" + (name == null ? "" : ", not '" + name + "'"));
        }
        if (name.equals(Actor.BOOTSTRAP_NAME)) {
            throw Refused.invalid("the name 'bootstrap' is the bootstrap admin token's (RUNBOOK_API_TOKEN): choose"
                    + " another");
        }
    }

    private static final RowMapper<Row> ROW = (rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
            Role.parse(rs.getString(4)).orElseThrow(() -> new IllegalStateException("unknown role in api_token")),
            instant(rs.getObject(5, OffsetDateTime.class)), rs.getString(6),
            instant(rs.getObject(7, OffsetDateTime.class)), instant(rs.getObject(8, OffsetDateTime.class)));

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
