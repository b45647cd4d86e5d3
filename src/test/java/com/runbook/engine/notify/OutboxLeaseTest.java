package com.runbook.engine.notify;

import com.runbook.engine.core.Notifier;

import com.runbook.engine.TestEngine;
import com.runbook.engine.store.Database;
import com.runbook.engine.store.GroupCommit;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        outbox.retryLater(first.get(0), Outbox.now(), "stale");
        outbox.dead(first.get(0), "stale");
        assertThat(outbox.find("idempotency_key = 'lease/1'").get(0)).containsEntry("status", "sending")
                .containsEntry("attempts", 2);

        assertThat(outbox.take(second.get(0), Duration.ofMinutes(2))).as("current claim").isTrue();
        assertThat(outbox.claim(10, Duration.ofMinutes(2))).as("taken again: its lease restarted").isEmpty();
        outbox.sent(List.of(second.get(0).id()));
        assertThat(outbox.find("idempotency_key = 'lease/1'").get(0)).containsEntry("status", "sent");
    }

    /**
     * The dispatcher claims for lease + {@link Dispatcher#TAKE_GRACE}: a send that starts within the grace goes
     * without a re-take; one that starts later is re-taken first, and skipped when another claimer took the message.
     */
    @Test
    void aSendLaterThanTheGraceAfterItsClaimIsReTakenAndSkippedIfAnotherClaimerTookIt() throws Exception {
        Outbox outbox = outbox();
        Path mail = dir.resolve("mail");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            GroupCommit writes = new GroupCommit(ds, "test-outbox-writes", 1);
            Channels channels = OutboxPriorityTest.channels("file:" + mail, dir);
            Dispatcher dispatcher = new Dispatcher(camel, outbox, new NotifySettings(3, Duration.ofSeconds(1),
                    Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(2), 10, 1, Duration.ofSeconds(15), 10),
                    writes, channels);
            try {
                outbox.enqueue("email", "a@example.com", "fresh", "b", "grace/fresh", Map.of());
                Outbox.Message fresh = outbox.claim(1, Duration.ofMinutes(2).plus(Dispatcher.TAKE_GRACE)).get(0);
                dispatcher.attempt(fresh, System.nanoTime());
                assertThat(outbox.find("idempotency_key = 'grace/fresh'").get(0)).containsEntry("status", "sent")
                        .containsEntry("attempts", 1);
                assertThat(mail.resolve(fresh.id() + ".eml")).exists();

                outbox.enqueue("email", "a@example.com", "stale", "b", "grace/stale", Map.of());
                Outbox.Message stale = outbox.claim(1, Duration.ZERO).get(0);   // its lease ran out at once
                assertThat(outbox.claim(1, Duration.ofMinutes(2))).as("taken by another claimer").hasSize(1);
                dispatcher.attempt(stale, System.nanoTime() - Dispatcher.TAKE_GRACE.toNanos() - 1);
                assertThat(outbox.find("idempotency_key = 'grace/stale'").get(0)).containsEntry("status", "sending")
                        .containsEntry("attempts", 2);
                assertThat(mail.resolve(stale.id() + ".eml")).doesNotExist();
                assertThat(Files.list(mail).count()).isEqualTo(1);

                // a digest re-taken late goes without the page another claimer took meanwhile, which stays its
                List<Notifier.Outgoing> pages = new ArrayList<>();
                for (int i = 1; i <= 12; i++) {
                    pages.add(new Notifier.Outgoing("email", "b@example.com", "[P3] Host " + i + " down", "x",
                            "grace/digest-" + i, Map.of("X-Incident-Id", Integer.toString(i)), 3));
                }
                outbox.enqueueNew(pages);
                List<Outbox.Message> claimed = outbox.claim(12, Duration.ZERO);   // their lease ran out at once
                Outbox.Message taken = outbox.claim(1, Duration.ofMinutes(2)).get(0);
                List<Digest.Delivery> plan = Digest.plan(claimed, 10, channels::grouping);
                assertThat(plan).singleElement().satisfies(d -> assertThat(d.members()).hasSize(12));
                dispatcher.attempt(plan.get(0), System.nanoTime() - Dispatcher.TAKE_GRACE.toNanos() - 1);
                assertThat(outbox.find("idempotency_key like 'grace/digest-%' and status = 'sent'")).hasSize(11);
                assertThat(outbox.find("id = ?", taken.id()).get(0)).containsEntry("status", "sending")
                        .containsEntry("attempts", 2);
                List<Path> digests = Files.list(mail).filter(f -> !f.getFileName().toString().equals(fresh.id() + ".eml")).toList();
                assertThat(digests).hasSize(1);
                String eml = Files.readString(digests.get(0));
                assertThat(eml).contains("11 incident pages (11 P3)").contains("X-Idempotency-Key: digest-11-")
                        .doesNotContain(taken.subject() + "\r\n").doesNotContain(taken.subject() + "\n");
            } finally {
                dispatcher.close();
                writes.close();
            }
        }
    }
}
