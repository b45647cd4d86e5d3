package com.runbook.engine.notify;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.Engine;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import jakarta.mail.internet.MimeMessage;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Telegram Bot API that accepts sendMessage and never answers must not silence the other channels: P1 pages go to
 * email (real SMTP, GreenMail) and Pub/Sub (the local folder) at once, the Telegram copies fail as "timed out" and
 * are retried, and once Telegram answers again each is delivered exactly once.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HungChannelTest {
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);
    @TempDir
    static Path dir;
    Engine engine;
    GreenMail greenMail;
    FakeTelegram telegram;
    Outbox outbox;

    @BeforeAll
    void start() throws Exception {
        ServerSetup smtp = new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        greenMail = Neighbours.startSmtp(smtp);
        telegram = new FakeTelegram("hung-bot");
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.notify.email.uri", "smtp://127.0.0.1:" + smtp.getPort(),
                "runbook.notify.telegram.uri", "telegram:bots?authorizationToken=hung-bot&baseUri=" + telegram.baseUri(),
                "runbook.notify.telegram.chat-id", "1001",
                "runbook.notify.send-timeout", "2s",
                "runbook.notify.backoff", "500ms",
                "runbook.notify.backoff-max", "1s",
                "runbook.notify.poll", "100ms",
                "runbook.notify.max-attempts", "100"));
        outbox = (Outbox) engine.notifier();
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        greenMail.stop();
        telegram.close();
    }

    @Test
    void aTelegramApiThatNeverAnswersDelaysNoOtherChannelAndItsPagesAreDeliveredOnceWhenItAnswersAgain() throws Exception {
        telegram.hang(true);
        List<String> subjects = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            long id = engine.incidents().raise("RegionDown/hung-" + i, "P1", "Region " + i + " down", "unreachable", Map.of());
            subjects.add("[P1] Region " + i + " down (#" + id + ")");
        }
        Path pubsub = dir.resolve("data/outbox/pubsub/incident-notifications");
        await().atMost(SEND_TIMEOUT.plusSeconds(5)).untilAsserted(() -> {
            assertThat(Stream.of(greenMail.getReceivedMessages()).map(HungChannelTest::subject).toList())
                    .as("every P1 email, while Telegram hangs").containsExactlyInAnyOrderElementsOf(subjects);
            assertThat(Files.isDirectory(pubsub) ? Files.list(pubsub).count() : 0).as("every Pub/Sub page").isEqualTo(6);
        });
        assertThat(telegram.held).as("Telegram was tried and held the request").isNotEmpty();
        await().atMost(SEND_TIMEOUT.multipliedBy(4)).untilAsserted(() -> assertThat(outbox.find("channel = 'telegram'"))
                .hasSize(6).allSatisfy(row -> {
                    assertThat(row.get("status")).isIn("pending", "sending");
                    assertThat(row.get("last_error")).isIn("TimeoutException: timed out after 2s",
                            "TimeoutException: timed out after 1s waiting for the Telegram send before it");
                }));
        assertThat(telegram.sent).as("nothing answered while hanging").isEmpty();

        telegram.hang(false);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outbox.find("channel = 'telegram'"))
                .extracting(row -> row.get("status")).containsOnly("sent"));
        assertThat(telegram.textsTo("1001")).as("each page once")
                .hasSize(6).allSatisfy(text -> assertThat(subjects).contains(text.substring(0, text.indexOf('\n'))))
                .map(text -> text.substring(0, text.indexOf('\n'))).doesNotHaveDuplicates();
        assertThat(greenMail.getReceivedMessages()).as("no email twice").hasSize(6);
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
