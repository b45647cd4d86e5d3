package com.runbook.engine.incident;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.definition.Role;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.notify.Outbox;
import com.runbook.engine.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The incident service on its own (in-memory H2, a clock the test moves, a recording notifier). */
class IncidentServiceTest {
    record Sent(String channel, String recipient, String subject, String key) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final Notifier recorder = (channel, recipient, subject, body, key, headers) -> {
        sent.add(new Sent(channel, recipient, subject, key));
        return sent.size();
    };
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    HikariDataSource ds;
    Clock clock;
    IncidentService incidents;
    final RecordingAudit audit = new RecordingAudit();

    @BeforeEach
    void setUp() {
        ds = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        PriorityPolicy policy = ShippedPolicy.with(Map.of("runbook.incident.p2.channels", "telegram,email",
                "runbook.incident.repeat-interval", "1h"));
        clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        incidents = new IncidentService(ds, () -> recorder, policy, new MaintenanceWindows(List::of), clock, audit);
    }

    @AfterEach
    void tearDown() {
        ds.close();
    }

    @Test
    void aStillFiringIncidentPagesAgainOnlyAfterTheRepeatInterval() {
        long id = incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        assertThat(sent).hasSize(2);
        now = now.plus(Duration.ofMinutes(59));
        assertThat(incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of())).isEqualTo(id);
        assertThat(sent).hasSize(2);
        now = now.plus(Duration.ofMinutes(2));
        incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        assertThat(sent).hasSize(4);
        assertThat(sent.get(2).subject()).isEqualTo("[P2] still firing: Backup failed (#" + id + ")");
        // acknowledged: no more repeats
        incidents.acknowledge(id, Actor.token("alice", Role.OPERATOR), "alice");
        now = now.plus(Duration.ofHours(3));
        incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        assertThat(sent).hasSize(4);
    }

    @Test
    void excludedChannelsAreNotPagedAndResolvedGoesOnlyWhereItWasPaged() {
        long id = incidents.open("ChannelDown/telegram", Priority.P2, "Notification channel telegram is failing", "x",
                Map.of(), Set.of("telegram")).id();
        assertThat(sent).extracting(Sent::channel).containsExactly("email");
        incidents.resolve("ChannelDown/telegram", "back");
        incidents.resolve("ChannelDown/telegram", "back");
        assertThat(sent).extracting(Sent::key).containsExactly("incident-" + id + "-open-email",
                "incident-" + id + "-resolved-email");
        assertThat(incidents.find(id).orElseThrow().status()).isEqualTo(Incident.Status.RESOLVED);
    }

    @Test
    void anIncidentOpenedDuringARunNamesTheRun() {
        org.slf4j.MDC.put("runId", "77");
        long inRun;
        try {
            inRun = incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        } finally {
            org.slf4j.MDC.remove("runId");
        }
        long outside = incidents.raise("Disk/a", "P3", "Disk full", "95%", Map.of());
        assertThat(incidents.find(inRun).orElseThrow().runId()).isEqualTo(77L);
        assertThat(incidents.find(outside).orElseThrow().runId()).isNull();
    }

    @Test
    void anUnknownPriorityIsRefused() {
        assertThatThrownBy(() -> incidents.raise("k", "P5", "t", "d", Map.of()))
                .hasMessage("priority must be one of P1, P2, P3, P4 (was 'P5')");
    }

    @Test
    void openingInABatchStoresAndPagesExactlyAsOpeningOneByOne() {
        long a = incidents.open("Disk/a", Priority.P2, "Disk full", "95%", Map.of("host", "a"), Set.of()).id();
        List<IncidentService.Raised> batch = incidents.openNew(List.of(
                new IncidentService.Opening("Disk/b", Priority.of("p2"), "Disk full", "95%", Map.of("host", "b")),
                new IncidentService.Opening("Disk/c", Priority.P4, "Disk filling", null, Map.of())));
        assertThat(batch).extracting(IncidentService.Raised::opened).containsExactly(true, true);
        long b = batch.get(0).id();
        long c = batch.get(1).id();
        assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
        assertThat(incidents.openKeys(List.of("Disk/a", "Disk/b", "Disk/c", "Disk/d")))
                .containsExactlyInAnyOrder("Disk/a", "Disk/b", "Disk/c");
        Incident one = incidents.find(a).orElseThrow();
        Incident batched = incidents.find(b).orElseThrow();
        assertThat(batched).usingRecursiveComparison().comparingOnlyFields("priority", "status", "title", "detail",
                "openedAt", "pagedChannels", "lastPagedAt", "occurrences", "duringMaintenance").isEqualTo(one);
        Incident quiet = incidents.find(c).orElseThrow();   // P4 pages nobody in this policy
        assertThat(quiet.priority()).isEqualTo(Priority.P4);
        assertThat(quiet.lastPagedAt()).isNull();
        assertThat(sent).containsExactly(
                new Sent("telegram", null, "[P2] Disk full (#" + a + ")", "incident-" + a + "-open-telegram"),
                new Sent("email", null, "[P2] Disk full (#" + a + ")", "incident-" + a + "-open-email"),
                new Sent("telegram", null, "[P2] Disk full (#" + b + ")", "incident-" + b + "-open-telegram"),
                new Sent("email", null, "[P2] Disk full (#" + b + ")", "incident-" + b + "-open-email"));
        // a batched incident is an ordinary one afterwards: seen again, not reopened; resolved once
        assertThat(incidents.raise("Disk/b", "P2", "Disk full", "97%", Map.of())).isEqualTo(b);
        assertThat(incidents.find(b).orElseThrow().occurrences()).isEqualTo(2);
        assertThatThrownBy(() -> incidents.openNew(List.of(new IncidentService.Opening("Disk/e", Priority.of("P9"), "t", "d", Map.of()))))
                .hasMessage("priority must be one of P1, P2, P3, P4 (was 'P9')");
    }

    /**
     * After a storm (3,000 open P3 incidents) the escalation check and the list of one status read only the rows they
     * return, as H2 reports in the plan it runs (scanCount: rows read, plus one), not every open row.
     */
    @Test
    void afterAStormTheEscalationCheckAndTheStatusListReadOnlyWhatTheyReturn() {
        PriorityPolicy policy = ShippedPolicy.with(Map.of("runbook.incident.p1.ack-within", "15m",
                "runbook.incident.p1.escalate-to", "email=lead@example.com"));
        IncidentService paging = new IncidentService(ds, () -> recorder, policy, new MaintenanceWindows(List::of), clock, audit);
        paging.openNew(java.util.stream.IntStream.range(0, 3000)
                .mapToObj(i -> new IncidentService.Opening("Storm/" + i, Priority.P3, "disk", null, Map.of())).toList());
        long due = paging.raise("Region/a", "P1", "Region down", "d", Map.of());
        now = now.plus(Duration.ofMinutes(16));
        long notYet = paging.raise("Region/b", "P1", "Region down", "d", Map.of());
        assertThat(paging.escalateDue()).isEqualTo(1);
        assertThat(paging.find(due).orElseThrow().escalatedAt()).isNotNull();
        assertThat(paging.find(notYet).orElseThrow().escalatedAt()).isNull();

        org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
        java.time.OffsetDateTime deadline = now.minus(Duration.ofMinutes(15)).atOffset(ZoneOffset.UTC);
        String escalation = jdbc.queryForObject("explain analyze " + IncidentService.ESCALATION_DUE, String.class, "P1", deadline);
        assertThat(scanCount(escalation)).as(escalation).isLessThanOrEqualTo(1);   // the due one is escalated already
        String newest = jdbc.queryForObject("explain analyze " + IncidentService.listQuery("status = ?", 10), String.class, "open");
        assertThat(scanCount(newest)).as(newest).isLessThanOrEqualTo(11);
        assertThat(paging.list(null, "open", 3)).extracting(Incident::id)
                .containsExactly(notYet, due, due - 1);
    }

    private static int scanCount(String plan) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("scanCount: (\\d+)").matcher(plan);
        assertThat(m.find()).as(plan).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /**
     * Every page of an incident (open, batched open, repeat, escalation, resolved notice) is queued in the real outbox
     * at its incident's delivery priority, 1 for P1 to 4 for P4; a message that is not a page gets 5.
     */
    @Test
    void pagesAreQueuedAtTheirIncidentsPriorityAndOtherMessagesAfterThem() {
        Outbox outbox = new Outbox(ds);
        PriorityPolicy policy = ShippedPolicy.with(Map.of(
                "runbook.incident.p1.channels", "telegram,email", "runbook.incident.p2.channels", "telegram,email",
                "runbook.incident.p3.channels", "email", "runbook.incident.p4.channels", "email",
                "runbook.incident.p1.ack-within", "15m", "runbook.incident.p1.escalate-to", "email=lead@example.com",
                "runbook.incident.p2.ack-within", "", "runbook.incident.repeat-interval", "1h"));
        IncidentService paging = new IncidentService(ds, () -> outbox, policy, new MaintenanceWindows(List::of), clock, audit);
        Map<Long, String> opened = new LinkedHashMap<>();
        for (Priority p : Priority.values()) {
            opened.put(paging.raise("Prio/" + p, p.name(), "down", "d", Map.of()), p.name());
        }
        for (IncidentService.Raised r : paging.openNew(List.of(new IncidentService.Opening("Batch/P1", Priority.P1, "t", "d", Map.of()),
                new IncidentService.Opening("Batch/P4", Priority.of("p4"), "t", "d", Map.of())))) {
            opened.put(r.id(), paging.find(r.id()).orElseThrow().priority().name());
        }
        now = now.plus(Duration.ofMinutes(61));
        // seen again after the repeat interval (the priority given is not the stored one's: the page keeps the stored one)
        opened.keySet().forEach(id -> paging.raise(paging.find(id).orElseThrow().key(), "P3", "down", "again", Map.of()));
        assertThat(paging.escalateDue()).isEqualTo(2);
        opened.keySet().forEach(id -> paging.resolve(paging.find(id).orElseThrow().key(), "back"));

        opened.forEach((id, p) -> {
            List<Map<String, Object>> pages = outbox.find("idempotency_key like ?", "incident-" + id + "-%");
            assertThat(pages.stream().map(r -> r.get("IDEMPOTENCY_KEY").toString().replaceAll("incident-\\d+-([a-z]+).*", "$1"))
                    .distinct()).as("pages of %s incident %d", p, id).containsExactlyInAnyOrderElementsOf(p.equals("P1")
                    ? List.of("open", "repeat", "escalated", "resolved") : List.of("open", "repeat", "resolved"));
            assertThat(pages).extracting(r -> ((Number) r.get("PRIORITY")).intValue()).as("%s incident %d", p, id)
                    .containsOnly(Integer.parseInt(p.substring(1)));
        });
        long report = outbox.enqueue("email", "ops@example.com", "Daily P&L", "text", "pnl/2026-11-25/email", Map.of());
        assertThat(outbox.find("id = ?", report)).extracting(r -> ((Number) r.get("PRIORITY")).intValue())
                .containsExactly(Notifier.BULK);
        assertThatThrownBy(() -> outbox.enqueue("email", null, "s", "b", "bad-priority", Map.of(), 0))
                .hasMessage("priority must be 1 to 5 (was 0)");
    }

    @Test
    void anAcknowledgementRecordsItsEntryWithTheCallerAsActorAndTheFreeTextByAsNote() {
        long id = incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        Actor alice = Actor.token("alice", Role.OPERATOR);
        incidents.acknowledge(id, alice, "Alice (on call)");
        assertThat(incidents.find(id).orElseThrow().acknowledgedBy()).isEqualTo("Alice (on call)");
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.INCIDENT_ACKNOWLEDGED);
            assertThat(e.actor()).isEqualTo(alice);
            assertThat(e.subject()).isEqualTo("incident " + id);
            assertThat(e.detail()).containsExactly(Map.entry("incidentId", id), Map.entry("key", "BackupFailed/db"),
                    Map.entry("priority", "P2"), Map.entry("title", "Backup failed"), Map.entry("note", "Alice (on call)"));
        });
    }

    @Test
    void anAcknowledgementRefusedRecordsNoEntry() {
        long id = incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        incidents.acknowledge(id, Actor.token("alice", Role.OPERATOR), "alice");
        assertThatThrownBy(() -> incidents.acknowledge(id, Actor.token("bob", Role.OPERATOR), "bob"))
                .hasMessage("incident " + id + " was already acknowledged by alice");
        assertThatThrownBy(() -> incidents.acknowledge(id + 1, Actor.token("bob", Role.OPERATOR), "bob"))
                .hasMessage("no incident with id " + (id + 1));
        assertThat(audit.committed).hasSize(1);
    }

    @Test
    void aTelegramAcknowledgementIsTheTelegramDoorsWithThePersonAsNote() {
        long id = incidents.raise("BackupFailed/db", "P2", "Backup failed", "exit 1", Map.of());
        assertThat(new TelegramAck(incidents, Set.of("42")).handle("42", "alice", "/ack " + id))
                .isEqualTo("Incident " + id + " acknowledged by telegram:alice");
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.actor().id()).isEqualTo("engine:telegram");
            assertThat(e.detail()).containsEntry("note", "telegram:alice");
        });
    }
}
