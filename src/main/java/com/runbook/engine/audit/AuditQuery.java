package com.runbook.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Request;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.text.Json;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** {@code GET /api/audit}: the entries that match the filters, newest first. */
final class AuditQuery {
    /** The kinds of actor an actor's bare name may be ({@code alice}: {@code token:alice}, {@code schedule:alice}...). */
    private static final List<String> PREFIXES = List.of("token:", "schedule:", "alert:", "engine:");

    private final JdbcTemplate jdbc;
    private final Clock clock;

    AuditQuery(DataSource db, Clock clock) {
        this.jdbc = new JdbcTemplate(db);
        this.clock = clock;
    }

    /**
     * One entry as the API shows it.
     *
     * @param at     when its transaction committed, ISO-8601 UTC
     * @param detail the facts of the change, as recorded
     */
    record View(long seq, String at, String actor, String action, String job, String subject, JsonNode detail,
                String prevHash, String hash) {
    }

    /** The filters of a query, each null when not given. */
    record Filter(Instant since, String actor, String job, AuditAction action, int limit) {
        /** Reads the API's query parameters; a malformed one is refused ({@code INVALID}) with what it takes. */
        static Filter parse(String since, String actor, String job, String action, String limit, Clock clock) {
            return new Filter(AuditQuery.since(since, clock), blankToNull(actor), blankToNull(job),
                    AuditQuery.action(action), Request.limit(limit, 100));
        }
    }

    List<View> find(Filter filter) {
        StringBuilder sql = new StringBuilder("select seq, at, actor, action, job, subject, detail, prev_hash, hash"
                + " from audit_entry where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (filter.since() != null) {
            sql.append(" and at >= ?");
            args.add(filter.since().atOffset(ZoneOffset.UTC));
        }
        if (filter.actor() != null) {
            if (filter.actor().contains(":")) {
                sql.append(" and actor = ?");
                args.add(filter.actor());
            } else {
                sql.append(" and actor in (?, ?, ?, ?, ?)");
                args.add(filter.actor());
                PREFIXES.forEach(p -> args.add(p + filter.actor()));
            }
        }
        if (filter.job() != null) {
            sql.append(" and job = ?");
            args.add(filter.job());
        }
        if (filter.action() != null) {
            sql.append(" and action = ?");
            args.add(filter.action().stored());
        }
        sql.append(" order by seq desc fetch first ").append(filter.limit()).append(" rows only");
        return jdbc.query(sql.toString(), (rs, n) -> new View(rs.getLong(1),
                rs.getObject(2, OffsetDateTime.class).toInstant().toString(), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), detail(rs.getString(7)), rs.getString(8), rs.getString(9)),
                args.toArray());
    }

    private static JsonNode detail(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);   // altered by hand: shown as stored
        }
    }

    static Instant since(String text, Clock clock) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return clock.instant().minus(Durations.parse(t));
            } catch (IllegalArgumentException notADuration) {
                throw Refused.invalid("since must be an ISO-8601 instant (2026-12-06T14:00:00Z) or a duration"
                        + " (30m, 24h, 7d), not '" + text + "'");
            }
        }
    }

    static AuditAction action(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        for (AuditAction action : AuditAction.values()) {
            if (action.stored().equals(text.trim())) {
                return action;
            }
        }
        throw Refused.invalid("action must be one of " + Arrays.stream(AuditAction.values()).map(AuditAction::stored)
                .collect(Collectors.joining(", ")) + ", not '" + text + "'");
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
