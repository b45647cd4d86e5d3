package com.runbook.engine.notify;

import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.Notifier;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** In a dry run the outbox records the messages it would queue ("email to ...: subject ...") and queues none. */
@Tag("db")
class OutboxDryRunTest {
    HikariDataSource ds;
    Outbox outbox;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        outbox = new Outbox(ds);
    }

    @AfterEach
    void tearDown() {
        DryRun.enter(null);
        ds.close();
    }

    @Test
    void aDryRunRecordsEachMessageAndQueuesNothing() throws Exception {
        long sentBefore = outbox.enqueue("email", "bob@example.com", "already queued", "b", "key-1", Map.of());
        var tables = TableSnapshot.of(ds, Set.of());
        DryRun plan = new DryRun(3);
        DryRun.enter(plan);

        assertThat(outbox.enqueue("email", "ops@example.com", "Daily P&L 2026-11-24", "body", "pnl-1", Map.of())).isZero();
        assertThat(outbox.enqueue("email", "bob@example.com", "already queued", "b", "key-1", Map.of()))
                .as("a key queued before: the real run would queue nothing either").isEqualTo(sentBefore);
        outbox.enqueue("telegram", null, "Backup failed", "b", "tg-1", Map.of(), 2);
        outbox.enqueue("telegram", "42", "Hello", "b", "tg-2", Map.of());
        outbox.enqueueNew(List.of(new Notifier.Outgoing("pubsub:system-alerts", null, "Emergency stop", "b", "ps-1",
                Map.of()), new Notifier.Outgoing("email", null, "[P1] down", "b", "em-1", Map.of(), 1)));

        DryRun.enter(null);
        assertThat(plan.effects()).containsExactly(
                new DryRun.Effect("email", "email to ops@example.com: subject Daily P&L 2026-11-24"),
                new DryRun.Effect("telegram", "telegram to the default chat: Backup failed"),
                new DryRun.Effect("telegram", "telegram to chat 42: Hello"),
                new DryRun.Effect("pubsub", "pubsub to system-alerts: Emergency stop"),
                new DryRun.Effect("email", "email to the default recipients: subject [P1] down"));
        assertThat(TableSnapshot.of(ds, Set.of())).isEqualTo(tables);
    }
}
