package com.runbook.engine.incident;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.core.Actor;
import com.runbook.engine.definition.Role;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.Notifier;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** In a dry run the incident service records what it would open, update, resolve or acknowledge, and does none of it. */
@Tag("db")
class IncidentDryRunTest {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final Notifier recorder = (channel, recipient, subject, body, key, headers) -> {
        sent.add(channel + " " + subject);
        return sent.size();
    };
    HikariDataSource ds;
    IncidentService incidents;
    final RecordingAudit audit = new RecordingAudit();

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        incidents = new IncidentService(ds, () -> recorder, ShippedPolicy.with(Map.of()), new MaintenanceWindows(List::of),
                Clock.systemUTC(), audit);
    }

    @AfterEach
    void tearDown() {
        DryRun.enter(null);
        ds.close();
    }

    @Test
    void aDryRunRecordsTheIncidentsItWouldOpenAndResolveAndChangesNothing() throws Exception {
        long open = incidents.raise("BackupFailed/engine-db", "P2", "Backup failed", "first", Map.of());
        int pagesBefore = sent.size();
        var tables = TableSnapshot.of(ds, Set.of());
        DryRun plan = new DryRun(7);
        DryRun.enter(plan);

        assertThat(incidents.raise("DnsChangeNotVerified/trading", "P1", "DNS change not verified", "x", Map.of())).isZero();
        assertThat(incidents.raise("BackupFailed/engine-db", "P2", "Backup failed", "again", Map.of())).isEqualTo(open);
        incidents.resolve("BackupFailed/engine-db", "fixed");
        incidents.resolve("NothingOpen/here", "fixed");
        incidents.acknowledge(open, Actor.token("alice", Role.OPERATOR), "alice");

        DryRun.enter(null);
        assertThat(plan.effects()).extracting(DryRun.Effect::effect).containsExactly(
                "open P1 incident DnsChangeNotVerified/trading: DNS change not verified (pages telegram, email,"
                        + " pubsub:incident-notifications)",
                "update open incident #" + open + " BackupFailed/engine-db (seen again, no page): again",
                "resolve incident #" + open + " BackupFailed/engine-db (pages P2 resolved)",
                "acknowledge incident #" + open + " by alice");
        assertThat(plan.effects()).extracting(DryRun.Effect::kind).containsOnly("incident");
        assertThat(TableSnapshot.of(ds, Set.of())).isEqualTo(tables);
        assertThat(sent).hasSize(pagesBefore);
    }
}
