package com.runbook.engine.notify;

import com.runbook.engine.TestEngine;
import com.runbook.engine.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message has one sender at a time: a claimer whose lease ran out while the message waited in its batch cannot
 * send it (nor reschedule or bury it) once another claimer has taken it.
 */
@Tag("db")
class OutboxLeaseTest {
    @TempDir
    Path dir;
    HikariDataSource ds;

    @AfterEach
    void close() {
        if (ds != null) {
            ds.close();
        }
    }

    private Outbox outbox() throws Exception {
        Map<String, String> db = TestEngine.databaseProperties();
        ds = Database.open(db.getOrDefault("runbook.db.url", "jdbc:h2:file:" + dir.resolve("runbook")),
                db.getOrDefault("runbook.db.user", "sa"), db.getOrDefault("runbook.db.password", ""), 2);
        return new Outbox(ds);
    }

    @Test
    void aClaimWhoseLeaseRanOutCannotSendWhatAnotherClaimerTook() throws Exception {
        Outbox outbox = outbox();
        outbox.enqueue("email", "a@example.com", "s", "b", "lease/1", Map.of());
        // a lease of zero: expired at once, as when a batch takes longer to send than the lease
        List<Outbox.Message> first = outbox.claim(10, Duration.ZERO);
        List<Outbox.Message> second = outbox.claim(10, Duration.ofMinutes(2));
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).attempts()).isEqualTo(2);

        assertThat(outbox.take(first.get(0), Duration.ofMinutes(2))).as("stale claim").isFalse();
        outbox.retryLater(first.get(0), Duration.ZERO, "stale");
        outbox.dead(first.get(0), "stale");
        assertThat(outbox.find("idempotency_key = 'lease/1'").get(0)).containsEntry("status", "sending")
                .containsEntry("attempts", 2);

        assertThat(outbox.take(second.get(0), Duration.ofMinutes(2))).as("current claim").isTrue();
        assertThat(outbox.claim(10, Duration.ofMinutes(2))).as("taken again: its lease restarted").isEmpty();
        outbox.sent(second.get(0).id());
        assertThat(outbox.find("idempotency_key = 'lease/1'").get(0)).containsEntry("status", "sent");
    }
}
