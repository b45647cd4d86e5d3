package com.runbook.engine.notify;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.core.Refused;
import com.runbook.engine.store.Database;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.transaction.support.TransactionTemplate;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code notification} table: the durable outbox behind {@link Notifier}. A message is written once per
 * idempotency key; the dispatcher claims due rows (skipping rows another node holds), and records each attempt.
 */
public final class Outbox implements Notifier {
    private static final int MAX_ERROR = 4000;
    private static final String COLUMNS = "id, idempotency_key, channel, recipient, subject, body, headers, attempts";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a message is in its delivery; stored lower-case in {@code notification.status}. */
    enum Status {
        /** Waiting for its (next) attempt. */
        PENDING,
        /** Claimed by a dispatcher, being sent. */
        SENDING,
        /** Delivered. */
        SENT,
        /** Given up: refused, or out of attempts (a retry through the API queues it again). */
        DEAD;

        @JsonValue
        public String stored() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Status of(String stored) {
            return valueOf(stored.toUpperCase(Locale.ROOT));
        }
    }

    /** One claimed message; {@code channel} is its address ({@code email}, {@code telegram}, {@code pubsub:<topic>}). */
    public record Message(long id, String idempotencyKey, String channel, String recipient, String subject,
                          String body, Map<String, String> headers, int attempts) {
    }

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final boolean skipLocked;
    private volatile Runnable onEnqueue = () -> { };
    private volatile Channels channels = new Channels(List.of());

    /** The outbox of {@code dataSource}; it checks channel addresses once {@link NotifyModule} gives it its channels. */
    public Outbox(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.skipLocked = Database.isPostgres(dataSource);
    }

    boolean isH2() {
        return Database.isH2(dataSource);
    }

    /** The channels a message may be addressed to. */
    void channels(Channels channels) {
        this.channels = channels;
    }

    /** Called after every new message (the dispatcher wakes up instead of waiting for its next poll). */
    void onEnqueue(Runnable r) {
        this.onEnqueue = r;
    }

    private void check(String channel, String idempotencyKey, int priority) {
        Channels known = channels;
        if (!known.isEmpty()) {
            known.of(channel);
        } else if (channel == null || channel.isBlank()) {
            throw new IllegalArgumentException("a channel is required");
        }
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("an idempotency key is required");
        }
        if (priority < 1 || priority > BULK) {
            throw new IllegalArgumentException("priority must be 1 to " + BULK + " (was " + priority + ")");
        }
    }

    /**
     * A new message, pending and due now; parameters: key, channel, recipient, subject, body, headers, priority, now,
     * now.
     */
    private static final String INSERT = "insert into notification (idempotency_key, channel, recipient, subject, body,"
            + " headers, priority, status, attempts, next_attempt_at, created_at)"
            + " values (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)";

    @Override
    @DryRunSafe
    public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers) {
        return enqueue(channel, recipient, subject, body, idempotencyKey, headers, BULK);
    }

    /** In a dry run ({@link DryRun#current()}) records the message in the plan and queues nothing (returns 0). */
    @Override
    @DryRunSafe
    public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers, int priority) {
        check(channel, idempotencyKey, priority);
        Long existing = idOf(idempotencyKey);
        if (existing != null) {
            return existing;
        }
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            plan.get().wouldDo(kind(channel), planned(channel, recipient, subject));
            return 0;
        }
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        OffsetDateTime now = now();
        try {
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement(INSERT, new String[] {"id"});
                ps.setString(1, idempotencyKey);
                ps.setString(2, channel);
                ps.setString(3, recipient);
                ps.setString(4, subject);
                ps.setString(5, body);
                ps.setString(6, toJson(headers));
                ps.setInt(7, priority);
                ps.setObject(8, now);
                ps.setObject(9, now);
                return ps;
            }, keys);
        } catch (DuplicateKeyException e) {
            return idOf(idempotencyKey);
        }
        wakeAfterCommit();
        return keys.getKey().longValue();
    }

    /**
     * One batched insert, in the caller's transaction, with no query for existing keys (on PostgreSQL an IN query
     * over the keys, planned while the table was empty, scanned the whole table in the ingest benchmark: half of the
     * intake's time); the unique constraint refuses a key that exists.
     */
    /** In a dry run ({@link DryRun#current()}) records the messages in the plan and queues nothing. */
    @Override
    @DryRunSafe
    public void enqueueNew(List<Outgoing> messages) {
        messages.forEach(m -> check(m.channel(), m.idempotencyKey(), m.priority()));
        if (messages.isEmpty()) {
            return;
        }
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            messages.forEach(m -> plan.get().wouldDo(kind(m.channel()), planned(m.channel(), m.recipient(), m.subject())));
            return;
        }
        OffsetDateTime now = now();
        jdbc.batchUpdate(INSERT, messages.stream().map(m -> new Object[] {m.idempotencyKey(), m.channel(), m.recipient(), m.subject(),
                        m.body(), toJson(m.headers()), m.priority(), now, now}).toList());
        wakeAfterCommit();
    }

    /** The plan's kind of a message on {@code channel}: email, telegram, pubsub. */
    static String kind(String channel) {
        int colon = channel.indexOf(':');
        return colon < 0 ? channel : channel.substring(0, colon);
    }

    /**
     * What a dry run's plan says of a message: {@code email to ops@example.com: subject Daily P&L},
     * {@code telegram to chat 42: ...}, {@code pubsub to system-alerts: ...}; no recipient: the channel's default.
     */
    static String planned(String channel, String recipient, String subject) {
        String kind = kind(channel);
        String to = channel.startsWith("pubsub:") ? channel.substring("pubsub:".length())
                : recipient == null || recipient.isBlank() ? "the default " + (kind.equals("telegram") ? "chat" : "recipients")
                : kind.equals("telegram") ? "chat " + recipient : recipient;
        return kind + " to " + to + ": " + (kind.equals("email") ? "subject " : "") + (subject == null ? "" : subject);
    }

    /** Wakes the dispatcher now, or after the surrounding transaction commits (so that it sees the row). */
    private void wakeAfterCommit() {
        Database.afterCommit(() -> onEnqueue.run());
    }

    private Long idOf(String key) {
        List<Long> ids = jdbc.queryForList("select id from notification where idempotency_key = ?", Long.class, key);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /**
     * Claims up to {@code limit} due messages for {@code lease}: they are marked {@code sending} and become due
     * again when the lease ends, so a node that dies mid-delivery leaves nothing behind. In a transaction of its own,
     * or in the caller's (on H2 the dispatcher claims in its group commit).
     */
    List<Message> claim(int limit, Duration lease) {
        return tx.execute(status -> {
            OffsetDateTime now = now();
            List<Message> due = new ArrayList<>(due("pending", limit, now));
            if (due.size() < limit) {
                due.addAll(due("sending", limit - due.size(), now));   // leases that ran out (a node died mid-send)
            }
            // the update re-checks the row is still due: on H2 (no SKIP LOCKED) two claimers cannot both take it.
            // "status <> sent and <> dead", not "status in (pending, sending)": H2 keeps a statement's plan in its
            // session cache, and one planned on an empty table used the due index (status, ...) instead of
            // the primary key, so every claimed row scanned the whole backlog (most of the dispatcher's CPU in the
            // ingest benchmark, slower the longer the queue); an inequality cannot use that index
            int[] claimed = jdbc.batchUpdate("update notification set status = 'sending', attempts = attempts + 1,"
                    + " next_attempt_at = ?, locked_until = ? where id = ? and status <> 'sent' and status <> 'dead'"
                    + " and next_attempt_at <= ?", due.stream()
                    .map(m -> new Object[] {now.plus(lease), now.plus(lease), m.id(), now}).toList());
            List<Message> mine = new ArrayList<>();
            for (int i = 0; i < due.size(); i++) {
                if (claimed[i] != 0) {   // 1, or SUCCESS_NO_INFO from a driver that batches without counts
                    Message m = due.get(i);
                    mine.add(new Message(m.id(), m.idempotencyKey(), m.channel(), m.recipient(), m.subject(), m.body(),
                            m.headers(), m.attempts() + 1));
                }
            }
            return mine;
        });
    }

    /**
     * Up to {@code limit} due rows of one status, by delivery priority (1 first), oldest first within one, so a P1
     * page queued behind thousands of bulk emails goes in the next batch. One status per query so that the (status,
     * priority, next_attempt_at) index gives the order and the scan stops at the limit: with a backlog of thousands,
     * an IN over two statuses read and sorted all of them on every claim (the largest cost in the ingest benchmark).
     * The order names {@code status} too: H2 reads the order from the index only when the ORDER BY starts with the
     * index's first column ("index sorted", 50 rows read of a 20,000 backlog; without it all 20,000 were read and
     * sorted); PostgreSQL uses the index either way.
     */
    private List<Message> due(String status, int limit, OffsetDateTime now) {
        return jdbc.query("select " + COLUMNS + " from notification where status = ? and next_attempt_at <= ?"
                + " order by status, priority, next_attempt_at limit " + limit + (skipLocked ? " for update skip locked" : ""),
                this::message, status, now);
    }

    /** How many messages wait (pending or sending) and the oldest one's age, for the outbox metrics. */
    record Waiting(long count, double oldestAgeSeconds) {
    }

    Waiting waiting() {
        return jdbc.queryForObject("select count(*), min(created_at) from notification where status in ('pending', 'sending')",
                (rs, n) -> {
                    OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                    return new Waiting(rs.getLong(1), oldest == null ? 0
                            : Math.max(0, Duration.between(oldest, now()).toMillis() / 1000.0));
                });
    }

    /**
     * Re-takes a claimed message right before it is sent: it must still be {@code sending} under this claim (same
     * attempt number), and its lease starts again now. False when the lease ran out while the message waited in its
     * batch and another claimer took it: then this one must not send it. So each message has at most one sender,
     * and a crash leaves at most the one message a thread was sending in the SMTP-accepted-not-yet-marked window.
     */
    boolean take(Message m, Duration lease) {
        OffsetDateTime now = now();
        return jdbc.update("update notification set next_attempt_at = ?, locked_until = ? where id = ?"
                + " and status = 'sending' and attempts = ?", now.plus(lease), now.plus(lease), m.id(), m.attempts()) == 1;
    }

    /**
     * Marks messages delivered (one message, or the pages of one digest); called right after each accepted send (the
     * dispatcher waits for its commit). One JDBC batch: on PostgreSQL one round trip for a digest of 50 pages instead
     * of 50, in the writer that the webhook requests wait for.
     */
    void sent(List<Long> ids) {
        OffsetDateTime now = now();
        jdbc.batchUpdate("update notification set status = 'sent', sent_at = ?, locked_until = null, last_error = null"
                + " where id = ?", ids.stream().map(id -> new Object[] {now, id}).toList());
    }

    /**
     * Puts a failed attempt back in the queue, due at {@code due}, unless another claimer has taken the message since
     * (then a no-op). The pages of a failed digest get the same time, so they are due, claimed and sent together again.
     */
    void retryLater(Message m, OffsetDateTime due, String error) {
        jdbc.update("update notification set status = 'pending', next_attempt_at = ?, locked_until = null,"
                + " last_error = ? where id = ? and status = 'sending' and attempts = ?", due,
                truncate(error), m.id(), m.attempts());
    }

    /** Gives a message up, unless another claimer has taken it since (then a no-op). */
    void dead(Message m, String error) {
        jdbc.update("update notification set status = 'dead', locked_until = null, last_error = ? where id = ?"
                + " and status = 'sending' and attempts = ?", truncate(error), m.id(), m.attempts());
    }

    /** One message as {@code GET /api/outbox} lists it. */
    record Row(long id, String idempotencyKey, String channel, String recipient, String subject, int priority,
                      Status status, int attempts, OffsetDateTime createdAt, OffsetDateTime nextAttemptAt,
                      OffsetDateTime sentAt, String lastError) {
    }

    /** A dead message queued again. */
    record Retried(long id, Status status) {
    }

    /** Messages newest first, for {@code GET /api/outbox}: all, or those of one status. */
    List<Row> list(String status, int limit) {
        boolean all = status == null || status.isBlank();
        Status only = all ? null : parseStatus(status);
        return jdbc.query("select id, idempotency_key, channel, recipient, subject, priority, status, attempts,"
                + " created_at, next_attempt_at, sent_at, last_error from notification" + (all ? "" : " where status = ?")
                + " order by id desc limit " + limit, (rs, n) -> new Row(rs.getLong("id"), rs.getString("idempotency_key"),
                        rs.getString("channel"), rs.getString("recipient"), rs.getString("subject"), rs.getInt("priority"),
                        Status.of(rs.getString("status")), rs.getInt("attempts"),
                        rs.getObject("created_at", OffsetDateTime.class), rs.getObject("next_attempt_at", OffsetDateTime.class),
                        rs.getObject("sent_at", OffsetDateTime.class), rs.getString("last_error")),
                all ? new Object[0] : new Object[] {only.stored()});
    }

    private static Status parseStatus(String status) {
        for (Status s : Status.values()) {
            if (s.stored().equals(status)) {
                return s;
            }
        }
        throw Refused.invalid("status must be pending, sending, sent or dead (was '" + status + "')");
    }

    /**
     * Puts a dead message back in the queue (attempts from zero, due now) on behalf of {@code by}, with its
     * {@code page.retried} entry in {@code audit} in the same transaction, and wakes the dispatcher; the last error
     * stays until the next attempt. Refused NOT_FOUND when unknown, CONFLICT when not dead (no entry then).
     */
    Retried retry(long id, Actor by, Audit audit) {
        tx.executeWithoutResult(status -> {
            int n = jdbc.update("update notification set status = 'pending', attempts = 0, next_attempt_at = ?,"
                    + " locked_until = null where id = ? and status = 'dead'", now(), id);
            List<Map<String, Object>> rows = jdbc.queryForList("select status, channel, recipient, subject, priority,"
                    + " idempotency_key, last_error from notification where id = ?", id);
            if (rows.isEmpty()) {
                throw new Refused(Refused.Reason.NOT_FOUND, "no notification with id " + id);
            }
            if (n == 0) {
                throw new Refused(Refused.Reason.CONFLICT, "notification " + id + " is " + rows.get(0).get("status") + ", not dead");
            }
            audit.record(retried(id, rows.get(0), by));
        });
        onEnqueue.run();
        return new Retried(id, Status.PENDING);
    }

    /**
     * The {@code page.retried} entry: subject {@code notification <id>}, detail its channel, recipient, subject,
     * priority, idempotency key and the error it had died of (never its body: it may hold what a page says).
     */
    static AuditEntry retried(long id, Map<String, Object> row, Actor by) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("notificationId", id);
        for (String column : List.of("channel", "recipient", "subject", "priority", "idempotency_key", "last_error")) {
            Object value = row.get(column);
            detail.put(column.equals("idempotency_key") ? "key" : column.equals("last_error") ? "lastError" : column,
                    value instanceof Number number ? number.longValue() : value == null ? null : value.toString());
        }
        return new AuditEntry(AuditAction.PAGE_RETRIED, by, null, "notification " + id, detail);
    }

    /** Messages as stored (status, attempts, last error, ...), by id; {@code where} is an SQL condition (tests). */
    public List<Map<String, Object>> find(String where, Object... args) {
        return jdbc.queryForList("select id, idempotency_key, channel, recipient, subject, priority, status, attempts,"
                + " next_attempt_at, last_error, sent_at from notification" + (where.isBlank() ? "" : " where " + where)
                + " order by id", args);
    }

    private Message message(ResultSet rs, int row) throws SQLException {
        return new Message(rs.getLong("id"), rs.getString("idempotency_key"), rs.getString("channel"),
                rs.getString("recipient"), rs.getString("subject"), rs.getString("body"),
                fromJson(rs.getString("headers")), rs.getInt("attempts"));
    }

    static String toJson(Map<String, String> map) {
        try {
            return map == null || map.isEmpty() ? null : JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Map<String, String> fromJson(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
