package com.runbook.engine.notify;

import com.runbook.engine.core.Notifier;

import com.icegreen.greenmail.util.GreenMail;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import com.runbook.engine.notify.email.EmailChannel;
import com.runbook.engine.notify.email.EmailSettings;
import com.runbook.engine.notify.pubsub.PubSubChannel;
import com.runbook.engine.notify.pubsub.PubSubSettings;
import com.runbook.engine.notify.telegram.TelegramChannel;
import com.runbook.engine.notify.telegram.TelegramSettings;
import com.runbook.engine.store.Database;
import com.runbook.engine.store.GroupCommit;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery order: due messages go out by priority (a P1 page first, then P2..P4 pages, then everything else),
 * oldest first within a priority, over a real SMTP server (GreenMail).
 */
@Tag("db")
class OutboxPriorityTest {
    @TempDir
    Path dir;
    HikariDataSource ds;
    GreenMail greenMail;
    GroupCommit writes;

    @AfterEach
    void close() {
        if (writes != null) {
            writes.close();
        }
        if (ds != null) {
            ds.close();
        }
        if (greenMail != null) {
            greenMail.stop();
        }
    }

    private HikariDataSource pool() throws Exception {
        Map<String, String> db = TestEngine.databaseProperties();
        return Database.pool("runbook", db.getOrDefault("runbook.db.url", "jdbc:h2:file:" + dir.resolve("runbook")),
                db.getOrDefault("runbook.db.user", "sa"), db.getOrDefault("runbook.db.password", ""), 2);
    }

    /** A dispatcher with one sender thread, delivering email to GreenMail. */
    private Dispatcher dispatcher(DefaultCamelContext camel, Outbox outbox) throws Exception {
        greenMail = Neighbours.startSmtp();
        writes = new GroupCommit(ds, "test-outbox-writes", 1);
        return new Dispatcher(camel, outbox, new NotifySettings(3, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMillis(200), Duration.ofMinutes(2), 50, 1, Duration.ofSeconds(15), 10), writes,
                channels("smtp://127.0.0.1:" + greenMail.getSmtp().getPort(), dir));
    }

    /** The three channels, email to {@code emailUri}, Telegram and Pub/Sub into folders under {@code dir}. */
    static Channels channels(String emailUri, Path dir) {
        return new Channels(List.of(new EmailChannel(new EmailSettings(emailUri, "engine@localhost", "oncall@localhost")),
                new TelegramChannel(new TelegramSettings("file:" + dir.resolve("telegram"), "0")),
                new PubSubChannel(new PubSubSettings("file:" + dir.resolve("pubsub")))));
    }

    /** The idempotency keys of the mail GreenMail received, in the order it received them. */
    private List<String> receivedKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            keys.add(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0]);
        }
        return keys;
    }

    @Test
    void aP1QueuedBehindABacklogIsSentFirstAndAP3BeforeEveryBulkEmail() throws Exception {
        ds = pool();
        Database.migrate(ds);
        Outbox outbox = new Outbox(ds);
        for (int i = 0; i < 300; i++) {
            outbox.enqueue("email", "client" + i + "@example.com", "Commission statement", "body", "bulk/" + i, Map.of());
        }
        outbox.enqueue("email", "oncall@example.com", "[P3] Disk filling", "body", "page/p3", Map.of(), 3);
        outbox.enqueue("email", "oncall@example.com", "[P1] Exchange down", "body", "page/p1", Map.of(), 1);
        try (DefaultCamelContext camel = new DefaultCamelContext(); Dispatcher dispatcher = dispatcher(camel, outbox)) {
            camel.start();
            dispatcher.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> greenMail.getReceivedMessages().length >= 302
                    && outbox.find("status <> 'sent'").isEmpty());
        }
        List<String> keys = receivedKeys();
        assertThat(keys).hasSize(302).doesNotHaveDuplicates();
        assertThat(keys.subList(0, 2)).containsExactly("page/p1", "page/p3");
        assertThat(keys.subList(2, 302)).allMatch(k -> k.startsWith("bulk/"));
        assertThat(outbox.find("status = 'sent'")).hasSize(302);
    }

    @Test
    void aPageWaitingForItsRetryStaysBehindItsNextAttemptAndOldestGoesFirstWithinAPriority() throws Exception {
        ds = pool();
        Database.migrate(ds);
        Outbox outbox = new Outbox(ds);
        outbox.enqueue("telegram", null, "[P1] first", "b", "retry/p1", Map.of(), 1);
        Outbox.Message failed = outbox.claim(1, Duration.ofMinutes(2)).get(0);
        outbox.retryLater(failed, Outbox.now().plus(Duration.ofHours(1)), "connection refused");
        for (int i = 0; i < 3; i++) {
            outbox.enqueue("email", null, "bulk", "b", "retry/bulk/" + i, Map.of());
        }
        outbox.enqueue("email", null, "[P2] older", "b", "retry/p2/older", Map.of(), 2);
        outbox.enqueue("email", null, "[P2] newer", "b", "retry/p2/newer", Map.of(), 2);
        assertThat(outbox.claim(10, Duration.ofMinutes(2))).extracting(Outbox.Message::idempotencyKey)
                .as("the P1 in backoff is not due; the rest by priority").startsWith("retry/p2/older", "retry/p2/newer")
                .hasSize(5).doesNotContain("retry/p1");
    }

    /** Rows queued before V11 (no priority column) get priority 5 and are delivered as before. */
    @Test
    void rowsQueuedBeforeTheMigrationGetPriorityFiveAndAreDelivered() throws Exception {
        ds = pool();
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").table("flyway_schema_history")
                .placeholders(Map.of("identity_cache", Database.isH2(ds) ? "1000" : "1")).target("10").load().migrate();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
        for (int i = 0; i < 3; i++) {
            jdbc.update("insert into notification (idempotency_key, channel, recipient, subject, body, status, attempts,"
                    + " next_attempt_at, created_at) values (?, 'email', 'old@example.com', 'before V11', 'b', 'pending', 0, ?, ?)",
                    "old/" + i, now.minusSeconds(3 - i), now.minusSeconds(3 - i));
        }
        Database.migrate(ds);
        Outbox outbox = new Outbox(ds);
        assertThat(outbox.find("idempotency_key like 'old/%'")).hasSize(3)
                .allSatisfy(r -> assertThat(((Number) r.get("PRIORITY")).intValue()).isEqualTo(Notifier.BULK));
        outbox.enqueue("email", "oncall@example.com", "[P2] after V11", "b", "new/p2", Map.of(), 2);
        try (DefaultCamelContext camel = new DefaultCamelContext(); Dispatcher dispatcher = dispatcher(camel, outbox)) {
            camel.start();
            dispatcher.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.find("status = 'sent'").size() == 4);
        }
        assertThat(receivedKeys()).containsExactly("new/p2", "old/0", "old/1", "old/2");
    }
}
