package com.runbook.engine.notify;

import com.runbook.engine.core.Notifier;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.Engine;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The outbox against a real SMTP server (GreenMail) and a local Telegram Bot API. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifyTest {
    @TempDir
    static Path dir;
    Engine engine;
    ServerSetup smtp;
    GreenMail greenMail;
    final List<MimeMessage> earlierMail = new ArrayList<>();
    FakeTelegram telegram;
    Outbox outbox;

    @BeforeAll
    void start() throws Exception {
        smtp = new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        greenMail = Neighbours.startSmtp(smtp);
        telegram = new FakeTelegram("test-bot");
        Map<String, String> props = new HashMap<>();
        props.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + smtp.getPort() + "?connectionTimeout=2000");
        props.put("runbook.notify.email.from", "engine@example.com");
        props.put("runbook.notify.telegram.uri", "telegram:bots?authorizationToken=test-bot&baseUri=" + telegram.baseUri());
        props.put("runbook.notify.telegram.chat-id", "1001");
        props.put("runbook.notify.backoff", "100ms");
        props.put("runbook.notify.backoff-max", "500ms");
        props.put("runbook.notify.poll", "100ms");
        props.put("runbook.notify.max-attempts", "100");
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        outbox = (Outbox) engine.notifier();
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        greenMail.stop();
        telegram.close();
    }

    private List<MimeMessage> mailTo(String recipient) throws Exception {
        List<MimeMessage> all = new ArrayList<>(earlierMail);
        all.addAll(List.of(greenMail.getReceivedMessages()));
        List<MimeMessage> to = new ArrayList<>();
        for (MimeMessage m : all) {
            if (Stream.of(m.getRecipients(Message.RecipientType.TO)).anyMatch(a -> a.toString().equals(recipient))) {
                to.add(m);
            }
        }
        return to;
    }

    @Test
    void emailCarriesRecipientSubjectBodyAndIdempotencyKeyAndIsQueuedOncePerKey() throws Exception {
        long id = engine.notifier().enqueue("email", "alice@example.com", "Daily P&L", "All followers up 1.2%",
                "pnl-2026-11-25-alice", Map.of());
        long again = engine.notifier().enqueue("email", "alice@example.com", "Daily P&L", "All followers up 1.2%",
                "pnl-2026-11-25-alice", Map.of());
        assertThat(again).isEqualTo(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(outbox.find("id = ?", id).get(0).get("STATUS")));
        List<MimeMessage> mail = mailTo("alice@example.com");
        assertThat(mail).hasSize(1);
        MimeMessage m = mail.get(0);
        assertThat(m.getSubject()).isEqualTo("Daily P&L");
        assertThat(m.getFrom()[0].toString()).isEqualTo("engine@example.com");
        assertThat(m.getContent().toString().trim()).isEqualTo("All followers up 1.2%");
        assertThat(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)).containsExactly("pnl-2026-11-25-alice");
    }

    @Test
    void newMessagesAreQueuedInOneBatchAndDeliveredAndAnExistingKeyIsRefusedNotSentTwice() throws Exception {
        engine.notifier().enqueueNew(List.of(
                new Notifier.Outgoing("email", "dave@example.com", "One", "first", "batch-1", Map.of()),
                new Notifier.Outgoing("email", "dave@example.com", "Two", "second", "batch-2", Map.of("X-Incident-Id", "7"))));
        assertThat(outbox.find("idempotency_key like 'batch-%'")).extracting(r -> r.get("SUBJECT"))
                .containsExactly("One", "Two");
        await().atMost(Duration.ofSeconds(20)).until(() -> outbox.find("idempotency_key like 'batch-%' and status = 'sent'").size() == 2);
        assertThatThrownBy(() -> engine.notifier().enqueueNew(List.of(
                new Notifier.Outgoing("email", "dave@example.com", "One again", "x", "batch-1", Map.of()))))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(outbox.find("idempotency_key like 'batch-%'")).hasSize(2);
        assertThat(mailTo("dave@example.com")).extracting(MimeMessage::getSubject).containsExactlyInAnyOrder("One", "Two");
    }

    /**
     * A storm: 25 incident pages (the webhook of a region going down) due at once for one mailbox and one chat go as
     * digests, every page in exactly one of them, each row marked sent; a plain message beside them goes on its own.
     */
    @Test
    void aStormOfIncidentPagesGoesAsDigestsThatNameEveryIncidentOnce() throws Exception {
        List<String> subjects = storm("storm", 25, "storm@example.com", "777");
        engine.notifier().enqueue("email", "storm@example.com", "Weekly commissions", "statement", "storm-plain", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> outbox.find("idempotency_key like 'storm-%' and status = 'sent'").size() == 51);

        List<MimeMessage> mail = mailTo("storm@example.com");
        List<MimeMessage> plain = new ArrayList<>();
        for (MimeMessage m : mail) {
            if (m.getSubject().equals("Weekly commissions")) {
                plain.add(m);
            }
        }
        assertThat(plain).as("a plain message goes alone").hasSize(1);
        assertThat(plain.get(0).getHeader(Dispatcher.IDEMPOTENCY_HEADER)).containsExactly("storm-plain");
        assertThat(mail).as("digests, not 26 emails").hasSizeLessThanOrEqualTo(5);
        assertThat(paged(mail, subjects)).as("every page exactly once").containsExactlyInAnyOrderElementsOf(subjects);

        List<String> texts = telegram.textsTo("777");
        assertThat(texts).hasSizeLessThanOrEqualTo(4).allSatisfy(t -> assertThat(t).hasSizeLessThan(4096));
        assertThat(subjects).allSatisfy(subject -> assertThat(String.join("\n", texts)).containsOnlyOnce(subject + "\n"));
    }

    /**
     * Queues {@code n} incident pages (one P1, the rest P3) in one transaction, each to {@code recipient} and, unless
     * null, to Telegram {@code chat}; keys {@code <prefix>-mail-<i>}, {@code <prefix>-tg-<i>}. Answers their subjects.
     */
    private List<String> storm(String prefix, int n, String recipient, String chat) {
        List<Notifier.Outgoing> pages = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String id = prefix.hashCode() % 1000 + "0" + i;
            String subject = "[" + (i == 7 ? "P1" : "P3") + "] Host " + i + " down (#" + id + ")";
            subjects.add(subject);
            Map<String, String> headers = Map.of("X-Incident-Id", id);
            pages.add(new Notifier.Outgoing("email", recipient, subject, "body " + i, prefix + "-mail-" + i, headers, i == 7 ? 1 : 3));
            if (chat != null) {
                pages.add(new Notifier.Outgoing("telegram", chat, subject, "body " + i, prefix + "-tg-" + i, headers, i == 7 ? 1 : 3));
            }
        }
        engine.notifier().enqueueNew(pages);
        return subjects;
    }

    /**
     * The pages of {@code subjects} found in {@code mail}: a page sent alone (its subject), or each listed in a digest,
     * which must look like one (subject, idempotency key, no incident header; a P1 in it names P1 first).
     */
    private static List<String> paged(List<MimeMessage> mail, List<String> subjects) throws Exception {
        List<String> paged = new ArrayList<>();
        for (MimeMessage m : mail) {
            if (subjects.contains(m.getSubject())) {
                paged.add(m.getSubject());
            } else if (m.getSubject().contains(" incident pages (")) {
                assertThat(m.getSubject()).matches("\\[P[13]] \\d+ incident pages \\((1 P1, )?\\d+ P3\\)");
                assertThat(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0]).startsWith("digest-");
                assertThat(m.getHeader("X-Incident-Id")).isNull();
                String body = m.getContent().toString();
                subjects.stream().filter(body::contains).forEach(paged::add);
                assertThat(m.getSubject().startsWith("[P1] ")).as("a digest with the P1 names P1 first")
                        .isEqualTo(body.contains(subjects.get(6)));
            }
        }
        return paged;
    }

    /** A route calling the notifier bean with the six arguments it always had still queues (priority 5) and delivers. */
    @Test
    void aRouteCallingTheNotifierBeanWithSixArgumentsQueuesABulkMessage() throws Exception {
        engine.context().addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:notify-compat").routeId("notify-compat")
                        .to("bean:notifier?method=enqueue('email', 'erin@example.com', 'From a route', ${body}, 'route-compat-1', null)");
            }
        });
        engine.context().createProducerTemplate().sendBody("direct:notify-compat", "queued by a route");
        await().atMost(Duration.ofSeconds(20)).until(() -> mailTo("erin@example.com").size() == 1);
        assertThat(outbox.find("idempotency_key = 'route-compat-1'")).singleElement()
                .satisfies(r -> assertThat(((Number) r.get("PRIORITY")).intValue()).isEqualTo(Notifier.BULK));
        assertThat(mailTo("erin@example.com").get(0).getContent().toString().trim()).isEqualTo("queued by a route");
    }

    @Test
    void anAttachmentNamedByTheHeadersIsSentAsAFilePartBesideTheHtmlText() throws Exception {
        Path csv = Files.writeString(dir.resolve("report.csv"), "follower_id,net\r\n1,12.50\r\n");
        long id = engine.notifier().enqueue("email", "carol@example.com", "Monthly report", "<h2>Report</h2>", "att-1",
                Map.of("Content-Type", "text/html; charset=UTF-8", "Attachment-Path", csv.toString(),
                        "Attachment-Name", "monthly.csv", "Attachment-Type", "text/csv; charset=UTF-8"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(outbox.find("id = ?", id).get(0).get("STATUS")));
        List<MimeMessage> mail = mailTo("carol@example.com");
        assertThat(mail).hasSize(1);
        MimeMessage m = mail.get(0);
        assertThat(m.getHeader("Attachment-Path")).isNull();
        assertThat(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)).containsExactly("att-1");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/html");
        assertThat(parts.getBodyPart(0).getContent().toString()).isEqualTo("<h2>Report</h2>");
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("monthly.csv");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/csv");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo(Files.readAllBytes(csv));
    }

    @Test
    void telegramSendsMessageToTheChat() {
        engine.notifier().enqueue("telegram", "42", "[P1] Region down", "eu-west unreachable", "tg-1", Map.of());
        engine.notifier().enqueue("telegram", null, "default chat", "to the on-call group", "tg-2", Map.of());
        // the default chat may also get pages from other tests of this class (a broken channel's P2): count ours only
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(telegram.sent).as("sendMessage calls")
                .anySatisfy(m -> assertThat(m.path("chat_id").asText() + ":" + m.path("text").asText())
                        .isEqualTo("42:[P1] Region down\n\neu-west unreachable"))
                .anySatisfy(m -> assertThat(m.path("chat_id").asText() + ":" + m.path("text").asText())
                        .isEqualTo("1001:default chat\n\nto the on-call group")));
        assertThat(telegram.textsTo("42")).containsOnlyOnce("[P1] Region down\n\neu-west unreachable");
        assertThat(telegram.textsTo("1001")).containsOnlyOnce("default chat\n\nto the on-call group");
    }

    @Test
    void a4xxIsNotRetriedAndTheBrokenChannelIsReportedOnTheOthers() throws Exception {
        long id = engine.notifier().enqueue("telegram", "400", "hello", "to a chat that does not exist", "tg-400", Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(outbox.find("id = ?", id).get(0).get("STATUS")));
        Map<String, Object> row = outbox.find("id = ?", id).get(0);
        assertThat(row.get("ATTEMPTS")).isEqualTo(1);
        assertThat((String) row.get("LAST_ERROR")).startsWith("not retried: ").contains("responded: 400");
        // P2 about the broken channel: paged on email (P2's other channel), not on telegram
        await().atMost(Duration.ofSeconds(20)).until(() -> !mailTo("oncall@localhost").isEmpty());
        assertThat(mailTo("oncall@localhost").get(0).getSubject()).startsWith("[P2] Notification channel telegram is failing");
        assertThat(outbox.find("channel = 'telegram' and idempotency_key like 'incident-%'")).isEmpty();
        // delivery priority: the page about the broken channel is a P2's (2), the plain message was bulk (5)
        assertThat(outbox.find("subject like '[P2] Notification channel telegram is failing%'"))
                .extracting(r -> ((Number) r.get("PRIORITY")).intValue()).isNotEmpty().containsOnly(2);
        assertThat(((Number) row.get("PRIORITY")).intValue()).isEqualTo(Notifier.BULK);
    }

    @Test
    void whileSmtpIsDownMessagesAreRetriedAndEachIsDeliveredOnceWhenItReturns() throws Exception {
        greenMail.stop();
        earlierMail.addAll(List.of(greenMail.getReceivedMessages()));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(engine.notifier().enqueue("email", "bob@example.com", "report " + i, "body " + i, "down-" + i, Map.of()));
        }
        // and a storm of incident pages, which goes as digests, retried as such
        List<String> subjects = storm("down-storm", 12, "carl@example.com", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> outbox.find("recipient in ('bob@example.com', 'carl@example.com')"
                + " and attempts >= 2 and status = 'pending' and last_error is not null").size() == 17);
        greenMail = Neighbours.startSmtp(smtp);
        await().atMost(Duration.ofSeconds(30)).until(() -> outbox.find("recipient in ('bob@example.com', 'carl@example.com')"
                + " and status = 'sent'").size() == 17);
        List<MimeMessage> storm = mailTo("carl@example.com");
        assertThat(storm).as("digests").hasSizeLessThan(12);
        assertThat(paged(storm, subjects)).as("every page once").containsExactlyInAnyOrderElementsOf(subjects);
        List<MimeMessage> mail = mailTo("bob@example.com");
        assertThat(mail).hasSize(5);
        List<String> keys = new ArrayList<>();
        for (MimeMessage m : mail) {
            keys.add(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0]);
        }
        assertThat(keys).containsExactlyInAnyOrder("down-0", "down-1", "down-2", "down-3", "down-4");
    }
}
