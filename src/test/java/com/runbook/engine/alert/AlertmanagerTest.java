package com.runbook.engine.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import com.runbook.engine.notify.Dispatcher;
import com.runbook.engine.notify.FakeTelegram;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end with the real neighbours: an alert posted to a real Alertmanager reaches the engine's webhook (bearer
 * auth), opens a P1, and the page arrives on Telegram (local Bot API) and by email (GreenMail); resolving it in
 * Alertmanager resolves the incident and sends one resolved notice per channel.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertmanagerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    Engine engine;
    Neighbours neighbours;
    FakeTelegram telegram;
    RealAlertmanager alertmanager;

    @BeforeAll
    void start() throws Exception {
        RealAlertmanager.assumeInstalled();
        neighbours = new Neighbours();
        telegram = neighbours.telegram;
        Map<String, String> props = neighbours.engineProperties(Map.of(
                "runbook.alert.alertmanager.token", "am-webhook-secret",
                "runbook.incident.telegram-ack.uri", "telegram:bots?authorizationToken=" + Neighbours.BOT + "&baseUri="
                        + telegram.baseUri() + "&delay=200&timeout=1",
                "runbook.incident.telegram-ack.chats", Neighbours.CHAT));
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        alertmanager = new RealAlertmanager(dir.resolve("am"), TestEngine.base(engine) + "/webhooks/alertmanager",
                "am-webhook-secret");
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {alertmanager, engine, neighbours}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private List<MimeMessage> mail(String subjectPrefix) {
        return neighbours.mails(subjectPrefix);
    }

    private JsonNode incidents() throws Exception {
        return JSON.readTree(TestEngine.get(engine, "/api/incidents").body());
    }

    @Test
    void anAlertThroughAlertmanagerPagesTelegramAndEmailAndItsResolutionClosesTheIncident() throws Exception {
        String startsAt = Instant.now().minusSeconds(5).toString();
        String alert = "[{\"labels\":{\"alertname\":\"ServiceDown\",\"service\":\"order-gateway\",\"severity\":\"critical\"},"
                + "\"annotations\":{\"summary\":\"order-gateway is down\",\"description\":\"no scrape for 2m\"},"
                + "\"startsAt\":\"" + startsAt + "\"}]";
        assertThat(alertmanager.post(alert)).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> incidents().findValues("key").stream()
                .anyMatch(k -> k.asText().startsWith("ServiceDown/")));
        JsonNode incident = incident("ServiceDown/");
        long id = incident.get("id").asLong();
        assertThat(incident.get("priority").asText()).isEqualTo("P1");
        assertThat(incident.get("title").asText()).isEqualTo("order-gateway is down");
        assertThat(incident.get("key").asText()).startsWith("ServiceDown/");

        String subject = "[P1] order-gateway is down (#" + id + ")";
        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.textsTo("-100500").size() == 1 && mail(subject).size() == 1);
        assertThat(telegram.textsTo("-100500").get(0)).startsWith(subject + "\n\nno scrape for 2m");
        MimeMessage email = mail(subject).get(0);
        assertThat(email.getAllRecipients()).extracting(Object::toString).containsExactly("oncall@example.com");
        assertThat(email.getContent().toString()).contains("no scrape for 2m").contains("service=order-gateway");
        assertThat(email.getHeader(Dispatcher.IDEMPOTENCY_HEADER)).containsExactly("incident-" + id + "-open-email");

        String resolved = alert.replace("\"startsAt\":\"" + startsAt + "\"", "\"startsAt\":\"" + startsAt
                + "\",\"endsAt\":\"" + Instant.now().toString() + "\"");
        assertThat(alertmanager.post(resolved)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> incident("ServiceDown/").get("status").asText().equals("resolved"));
        await().atMost(Duration.ofSeconds(30)).until(() -> mail("[RESOLVED] [P1] order-gateway is down").size() == 1
                && telegram.textsTo("-100500").stream().filter(t -> t.startsWith("[RESOLVED] [P1] order-gateway")).count() == 1);
        assertThat(incidents().findValues("key").stream().filter(k -> k.asText().startsWith("ServiceDown/")).count()).isEqualTo(1);
    }

    private JsonNode incident(String keyPrefix) throws Exception {
        for (JsonNode i : incidents()) {
            if (i.get("key").asText().startsWith(keyPrefix)) {
                return i;
            }
        }
        return null;
    }

    @Test
    void aTelegramAckFromTheOnCallChatAcknowledgesAndOtherChatsAreIgnored() throws Exception {
        String page = "{\"title\":\"Trading bot offline\",\"priority\":\"P1\",\"key\":\"bot-7\"}";
        long id = JSON.readTree(TestEngine.post(engine, "/webhooks/generic", TestEngine.TOKEN, page).body())
                .get("incidents").get(0).asLong();
        telegram.receive("-999", "mallory", "/ack " + id);
        telegram.receive("-100500", "alice", "/ack " + id);
        String reply = "Incident " + id + " acknowledged by telegram:alice";
        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.textsTo("-100500").contains(reply));
        JsonNode acked = incident("Trading_bot_offline/bot-7");
        assertThat(acked.get("status").asText()).isEqualTo("acknowledged");
        assertThat(acked.get("acknowledgedBy").asText()).isEqualTo("telegram:alice");
        assertThat(telegram.textsTo("-999")).isEmpty();
    }
}
