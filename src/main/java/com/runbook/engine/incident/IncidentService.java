package com.runbook.engine.incident;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.CurrentRun;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.text.Text;

import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The incident store and its paging: opens one incident per key (deduplicated across nodes by a unique
 * {@code open_key}), pages the priority's channels through the outbox unless a maintenance window mutes it,
 * repeats a page after the repeat interval, escalates what nobody acknowledged, and sends one resolved notice.
 */
public class IncidentService implements IncidentRaiser {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentService.class);
    private static final String COLUMNS = "id, incident_key, priority, status, title, detail, paged_channels,"
            + " during_maintenance, occurrences, opened_at, last_paged_at, acknowledged_at, acknowledged_by,"
            + " escalated_at, resolved_at, run_id";

    /** What a raise did: the incident and whether this call opened it. */
    public record Raised(long id, boolean opened) {
    }

    private final JdbcTemplate jdbc;
    private final boolean postgres;
    private final Supplier<Notifier> notifier;
    private final PriorityPolicy policy;
    private final MaintenanceWindows windows;
    private final Clock clock;
    private final Audit audit;
    private final TransactionTemplate transactions;
    private volatile Consumer<Priority> onOpened = priority -> { };

    public IncidentService(DataSource dataSource, Supplier<Notifier> notifier, PriorityPolicy policy,
                           MaintenanceWindows windows, Clock clock, Audit audit) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.audit = audit;
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.postgres = Database.isPostgres(dataSource);
        this.notifier = notifier;
        this.policy = policy;
        this.windows = windows;
        this.clock = clock;
    }

    /** Called with the priority of every incident opened, once its transaction commits (the incidents metric). */
    void onOpened(Consumer<Priority> listener) {
        this.onOpened = listener;
    }

    public PriorityPolicy policy() {
        return policy;
    }

    /** The maintenance window muting P3/P4 now, if one is open (seen within a second of a schedule change). */
    Optional<MaintenanceWindows.Window> maintenanceNow() {
        return windows.openNow();
    }

    /** In a dry run ({@link DryRun#current()}) records what it would open or update, changes nothing (returns 0). */
    @Override
    @DryRunSafe
    public long raise(String key, String priority, String title, String detail, Map<String, String> labels) {
        return open(key, Priority.of(priority), title, detail, labels, Set.of()).id();
    }

    /** Opens or updates the incident {@code key}; {@code exclude} lists channels not to page (a broken one). */
    public Raised open(String rawKey, Priority priority, String rawTitle, String rawDetail, Map<String, String> labels,
                       Set<String> exclude) {
        String key = Text.clean(rawKey, Text.KEY);
        String title = Text.clean(rawTitle, Text.TITLE);
        String detail = Text.clean(rawDetail, Text.DETAIL);
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            Optional<Incident> open = findOpen(key);
            plan.get().wouldDo("incident", open.isPresent()
                    ? "update open incident #" + open.get().id() + " " + key + " (seen again, no page): " + detail
                    : "open " + priority + " incident " + key + ": " + title + " (" + wouldPage(priority) + ")");
            return new Raised(open.map(Incident::id).orElse(0L), false);
        }
        for (int attempt = 0; ; attempt++) {
            Optional<Incident> existing = findOpen(key);
            if (existing.isPresent()) {
                return new Raised(seenAgain(existing.get(), detail), false);
            }
            try {
                return new Raised(insert(key, priority, title, detail, labels, exclude), true);
            } catch (DuplicateKeyException e) {
                if (attempt > 3) {
                    throw e;
                }
            }
        }
    }

    /** Whom opening an incident of {@code priority} now pages, for a dry run's plan. */
    private String wouldPage(Priority priority) {
        if (muted(windows.openNow().isPresent(), priority)) {
            return "muted: maintenance window";
        }
        List<PriorityPolicy.Target> targets = policy.rule(priority).page();
        return targets.isEmpty() ? "pages nobody" : "pages " + targets.stream().map(Object::toString)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** During a maintenance window P3 and P4 incidents are recorded but not paged. */
    private static boolean muted(boolean maintenance, Priority priority) {
        return maintenance && priority.mutedInMaintenance();
    }

    /** An incident to open, for {@link #openNew}; its texts within {@link Text}'s limits. */
    public record Opening(String key, Priority priority, String title, String detail, Map<String, String> labels) {
        public Opening {
            Objects.requireNonNull(priority, "priority");
            key = Text.clean(key, Text.KEY);
            title = Text.clean(title, Text.TITLE);
            detail = Text.clean(detail, Text.DETAIL);
        }
    }

    /**
     * Which of {@code keys} have an open (not resolved) incident: one query per 500 keys. On PostgreSQL inside a
     * transaction the query is planned for its values each time: otherwise the driver prepares a statement after five
     * runs and PostgreSQL may keep a generic plan made while the table was nearly empty, a sequential scan (20 ms a
     * query with 30,000 incidents in the ingest benchmark, half of the intake's time).
     */
    public Set<String> openKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        if (postgres && TransactionSynchronizationManager.isActualTransactionActive()) {
            jdbc.execute("set local plan_cache_mode = force_custom_plan");
        }
        Set<String> open = new HashSet<>();
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + 500));
            open.addAll(jdbc.queryForList("select open_key from incident where open_key in ("
                    + String.join(", ", Collections.nCopies(part.size(), "?")) + ")", String.class, part.toArray()));
        }
        return open;
    }

    /** The keys of the open incidents whose key starts with {@code prefix}. */
    List<String> openKeysStartingWith(String prefix) {
        String pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return jdbc.queryForList("select open_key from incident where open_key like ? escape '\\'", String.class, pattern);
    }

    /**
     * Opens an incident for each of {@code openings}, whose keys are distinct and have no open incident
     * ({@link #openKeys}), exactly as {@link #open} would, with batched statements: one insert for the incidents,
     * one for their pages. Inside the caller's transaction; a key another node opened meanwhile fails it (unique
     * {@code open_key}), and the caller then goes through {@link #open} one by one.
     */
    public List<Raised> openNew(List<Opening> openings) {
        if (openings.isEmpty()) {
            return List.of();
        }
        OffsetDateTime now = now();
        boolean maintenance = windows.openNow().isPresent();
        List<Priority> priorities = new ArrayList<>();
        List<Boolean> muted = new ArrayList<>();
        List<List<PriorityPolicy.Target>> targets = new ArrayList<>();
        for (Opening o : openings) {
            Priority p = o.priority();
            priorities.add(p);
            muted.add(muted(maintenance, p));
            targets.add(muted.get(muted.size() - 1) ? List.of() : policy.rule(p).page());
        }
        List<Long> ids = jdbc.execute((ConnectionCallback<List<Long>>) con -> {
            try (PreparedStatement ps = con.prepareStatement(INSERT, new String[] {"id"})) {
                for (int i = 0; i < openings.size(); i++) {
                    Opening o = openings.get(i);
                    bind(ps, o.key(), priorities.get(i), o.title(), o.detail(), o.labels(), targets.get(i), maintenance, now);
                    ps.addBatch();
                }
                ps.executeBatch();
                List<Long> keys = new ArrayList<>();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    while (rs.next()) {
                        keys.add(rs.getLong(1));
                    }
                }
                return keys;
            }
        });
        if (ids.size() != openings.size()) {
            throw new IllegalStateException("expected " + openings.size() + " generated ids, got " + ids.size());
        }
        Database.afterCommit(() -> priorities.forEach(onOpened));
        List<Notifier.Outgoing> pages = new ArrayList<>();
        List<Raised> raised = new ArrayList<>();
        for (int i = 0; i < openings.size(); i++) {
            Opening o = openings.get(i);
            long id = ids.get(i);
            logOpened(id, priorities.get(i), o.title(), o.key(), maintenance, muted.get(i));
            pages.addAll(pages(id, priorities.get(i), "open", targets.get(i), subject(id, priorities.get(i), o.title(), maintenance, ""),
                    body(id, o.key(), o.detail(), o.labels())));
            raised.add(new Raised(id, true));
        }
        notifier.get().enqueueNew(pages);   // keys name the new ids: they cannot exist
        return raised;
    }

    private static final String INSERT = "insert into incident (incident_key, open_key, priority, status, title, detail,"
            + " labels, paged_channels, during_maintenance, occurrences, opened_at, last_seen_at, last_paged_at, run_id)"
            + " values (?, ?, ?, 'open', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)";

    private static void bind(PreparedStatement ps, String key, Priority priority, String title, String detail,
                             Map<String, String> labels, List<PriorityPolicy.Target> targets, boolean maintenance,
                             OffsetDateTime now) throws SQLException {
        ps.setString(1, key);
        ps.setString(2, key);
        ps.setString(3, priority.name());
        ps.setString(4, title);
        ps.setString(5, detail);
        ps.setString(6, Text.json(Text.clean(labels)));
        ps.setString(7, join(targets));
        ps.setBoolean(8, maintenance);
        ps.setObject(9, now);
        ps.setObject(10, now);
        ps.setObject(11, targets.isEmpty() ? null : now);
        ps.setObject(12, CurrentRun.id(), java.sql.Types.BIGINT);   // the run opening it
    }

    private static void logOpened(long id, Priority priority, String title, String key, boolean maintenance, boolean muted) {
        LOG.info("Incident {} opened: [{}] {} (key {}){}", id, priority, title, key,
                muted ? ", not paged: maintenance window open" : maintenance ? ", during maintenance" : "");
    }

    private long insert(String key, Priority priority, String title, String detail, Map<String, String> labels,
                        Set<String> exclude) {
        OffsetDateTime now = now();
        boolean maintenance = windows.openNow().isPresent();
        boolean muted = muted(maintenance, priority);
        List<PriorityPolicy.Target> targets = muted ? List.of() : policy.rule(priority).page().stream()
                .filter(t -> !exclude.contains(t.channel())).toList();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(INSERT, new String[] {"id"});
            bind(ps, key, priority, title, detail, labels, targets, maintenance, now);
            return ps;
        }, keys);
        long id = keys.getKey().longValue();
        Database.afterCommit(() -> onOpened.accept(priority));
        logOpened(id, priority, title, key, maintenance, muted);
        page(id, priority, "open", targets, subject(id, priority, title, maintenance, ""), body(id, key, detail, labels));
        return id;
    }

    private long seenAgain(Incident row, String detail) {
        long id = row.id();
        OffsetDateTime now = now();
        jdbc.update("update incident set last_seen_at = ?, occurrences = occurrences + 1,"
                + " detail = coalesce(?, detail) where id = ?", now, detail, id);
        OffsetDateTime lastPaged = row.lastPagedAt();
        if (row.status() == Incident.Status.OPEN && lastPaged != null
                && lastPaged.plus(policy.repeatInterval()).isBefore(now)
                && jdbc.update("update incident set last_paged_at = ? where id = ? and last_paged_at = ?", now, id, lastPaged) == 1) {
            Priority priority = row.priority();
            page(id, priority, "repeat-" + now.toInstant().toEpochMilli(), PriorityPolicy.Target.parseList(row.pagedChannels()),
                    subject(id, priority, row.title(), row.duringMaintenance(), "still firing: "),
                    body(id, row.key(), detail, Map.of()));
        }
        return id;
    }

    /** In a dry run ({@link DryRun#current()}) records what it would resolve, changes nothing. */
    @Override
    @DryRunSafe
    public void resolve(String rawKey, String detail) {
        String key = Text.clean(rawKey, Text.KEY);
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            findOpen(key).ifPresent(row -> plan.get().wouldDo("incident", "resolve incident #" + row.id() + " " + key
                    + " (pages " + row.priority() + " resolved)"));
            return;
        }
        findOpen(key).ifPresent(row -> {
            long id = row.id();
            if (jdbc.update("update incident set status = 'resolved', open_key = null, resolved_at = ?"
                    + " where id = ? and open_key is not null", now(), id) == 1) {
                LOG.info("Incident {} resolved (key {})", id, key);
                page(id, row.priority(), "resolved", PriorityPolicy.Target.parseList(row.pagedChannels()),
                        "[RESOLVED] [" + row.priority() + "] " + row.title() + " (#" + id + ")",
                        "Resolved: " + row.title() + (detail == null || detail.isBlank() ? "" : "\n\n" + detail)
                                + "\n\nIncident #" + id + " (" + key + ")");
            }
        });
    }

    /**
     * Acknowledges an open incident on behalf of {@code actor}: the row and its {@code incident.acknowledged} audit
     * entry (actor, the free-text {@code by} as its note) in one transaction. {@code by} (who acknowledges, in the
     * words of the person or chat) is kept within {@link Text#BY} characters in {@code acknowledged_by}.
     */
    Incident acknowledge(long id, Actor actor, String rawBy) {
        if (rawBy == null || rawBy.isBlank()) {
            throw Refused.invalid("by: required (who acknowledges)");
        }
        String by = Text.clean(rawBy, Text.BY);
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            plan.get().wouldDo("incident", "acknowledge incident #" + id + " by " + by);
            return find(id).orElseThrow(() -> new Refused(Refused.Reason.NOT_FOUND, "no incident with id " + id));
        }
        Incident row = transactions.execute(status -> {
            int n = jdbc.update("update incident set status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?"
                    + " where id = ? and status = 'open'", now(), by, id);
            Incident found = find(id).orElseThrow(() -> new Refused(Refused.Reason.NOT_FOUND, "no incident with id " + id));
            if (n == 0) {
                throw new Refused(Refused.Reason.CONFLICT, found.status() == Incident.Status.RESOLVED
                        ? "incident " + id + " is already resolved"
                        : "incident " + id + " was already acknowledged by " + found.acknowledgedBy());
            }
            audit.record(acknowledged(found, actor, by));
            return found;
        });
        LOG.info("Incident {} acknowledged by {} ({})", id, by, actor.id());
        return row;
    }

    /** The {@code incident.acknowledged} entry: subject {@code incident <id>}, detail the incident's key, priority, title, run and the note. */
    static AuditEntry acknowledged(Incident incident, Actor actor, String note) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("incidentId", incident.id());
        detail.put("key", incident.key());
        detail.put("priority", incident.priority().name());
        detail.put("title", incident.title());
        if (incident.runId() != null) {
            detail.put("runId", incident.runId());
        }
        detail.put("note", note);
        return new AuditEntry(AuditAction.INCIDENT_ACKNOWLEDGED, actor, null, "incident " + incident.id(), detail);
    }

    /** Open incidents of one priority (parameter 1) opened at or before a time (2), not escalated yet. */
    static final String ESCALATION_DUE = "select " + COLUMNS + " from incident where status = 'open' and priority = ?"
            + " and escalated_at is null and opened_at <= ?";

    /** Pages the escalation targets of every open, unacknowledged incident past its acknowledge-within. */
    int escalateDue() {
        OffsetDateTime now = now();
        int escalated = 0;
        List<Incident> due = new ArrayList<>();
        for (Priority priority : Priority.values()) {
            Duration ackWithin = policy.rule(priority).ackWithin();
            if (ackWithin != null) {
                // one priority at a time, so that the (status, priority, escalated_at, opened_at) index reads only the
                // incidents due: after a storm the thousands of open P3/P4 (or already escalated P1) are not read
                due.addAll(jdbc.query(ESCALATION_DUE, this::row, priority.name(), now.minus(ackWithin)));
            }
        }
        for (Incident row : due) {
            Priority priority = row.priority();
            PriorityPolicy.Rule rule = policy.rule(priority);
            long id = row.id();
            List<PriorityPolicy.Target> targets = rule.escalateTo();
            List<PriorityPolicy.Target> paged = new ArrayList<>(PriorityPolicy.Target.parseList(row.pagedChannels()));
            targets.stream().filter(t -> !paged.contains(t)).forEach(paged::add);
            if (jdbc.update("update incident set escalated_at = ?, paged_channels = ? where id = ? and escalated_at is null"
                    + " and status = 'open'", now, join(paged), id) == 1) {
                LOG.warn("Incident {} not acknowledged within {}: escalated to {}", id, rule.ackWithin(), targets);
                page(id, priority, "escalated", targets, "[ESCALATED] [" + priority + "] " + row.title() + " (#" + id + ")",
                        "Not acknowledged within " + rule.ackWithin() + ".\n\n" + body(id, row.key(), row.detail(), Map.of()));
                escalated++;
            }
        }
        return escalated;
    }

    Optional<Incident> find(long id) {
        return jdbc.query("select " + COLUMNS + " from incident where id = ?", this::row, id).stream().findFirst();
    }

    private Optional<Incident> findOpen(String key) {
        return jdbc.query("select " + COLUMNS + " from incident where open_key = ?", this::row, key).stream().findFirst();
    }

    /** Incidents newest first; {@code open} true: not resolved; {@code status}: exactly that status. */
    public List<Incident> list(Boolean open, String status, int limit) {
        Incident.Status only = status != null && !status.isBlank() ? Incident.Status.parse(status)
                : Boolean.FALSE.equals(open) ? Incident.Status.RESOLVED : null;
        String where = only != null ? "status = ?" : Boolean.TRUE.equals(open) ? "status <> 'resolved'" : "";
        return jdbc.query(listQuery(where, limit), this::row, only == null ? new Object[0] : new Object[] {only.stored()});
    }

    /**
     * The list's query for a condition ("" for all). For one status, "status desc, id desc": H2 then reads the newest
     * rows from the (status, id) index and stops at the limit (ordered by id alone it would read and sort every row
     * of that status: 200,000 open incidents after a storm).
     */
    static String listQuery(String where, int limit) {
        return "select " + COLUMNS + " from incident" + (where.isEmpty() ? "" : " where " + where) + " order by "
                + (where.equals("status = ?") ? "status desc, id desc" : "id desc") + " limit " + limit;
    }

    private Incident row(ResultSet rs, int n) throws SQLException {
        return new Incident(rs.getLong("id"), rs.getString("incident_key"), Priority.valueOf(rs.getString("priority")),
                Incident.Status.ofStored(rs.getString("status")), rs.getString("title"), rs.getString("detail"),
                rs.getObject("opened_at", OffsetDateTime.class), rs.getObject("acknowledged_at", OffsetDateTime.class),
                rs.getString("acknowledged_by"), rs.getObject("escalated_at", OffsetDateTime.class),
                rs.getObject("resolved_at", OffsetDateTime.class), rs.getBoolean("during_maintenance"),
                rs.getInt("occurrences"), rs.getString("paged_channels"), rs.getObject("last_paged_at", OffsetDateTime.class),
                rs.getObject("run_id", Long.class));
    }

    private void page(long id, Priority priority, String kind, List<PriorityPolicy.Target> targets, String subject,
                      String body) {
        Notifier n = notifier.get();
        for (Notifier.Outgoing m : pages(id, priority, kind, targets, subject, body)) {
            n.enqueue(m.channel(), m.recipient(), m.subject(), m.body(), m.idempotencyKey(), m.headers(), m.priority());
        }
    }

    /** The messages of one page of incident {@code id}, at its priority's delivery priority. */
    private static List<Notifier.Outgoing> pages(long id, Priority priority, String kind,
                                                 List<PriorityPolicy.Target> targets, String subject, String body) {
        int delivery = priority.delivery();
        return targets.stream().map(t -> new Notifier.Outgoing(t.channel(), t.recipient(), subject, body,
                "incident-" + id + "-" + kind + "-" + t, Map.of("X-Incident-Id", Long.toString(id)), delivery)).toList();
    }

    static String subject(long id, Priority priority, String title, boolean maintenance, String prefix) {
        return "[" + priority + "]" + (maintenance ? " [during maintenance]" : "") + " " + prefix + title + " (#" + id + ")";
    }

    static String body(long id, String key, String detail, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        if (detail != null && !detail.isBlank()) {
            sb.append(detail).append("\n\n");
        }
        sb.append("Incident #").append(id).append(" (").append(key).append(")\n");
        labels.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        sb.append("Acknowledge: POST /api/incidents/").append(id).append("/ack");
        return sb.toString();
    }

    private static String join(List<PriorityPolicy.Target> targets) {
        return String.join(",", targets.stream().map(PriorityPolicy.Target::toString).toList());
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(Instant.now(clock), ZoneOffset.UTC);
    }
}
