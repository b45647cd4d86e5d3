package com.runbook.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Dead messages seen with GET /api/outbox?status=dead and re-queued with POST /api/outbox/{id}/retry. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    ServerSetup smtp;
    GreenMail greenMail;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        smtp = new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.notify.email.uri", "smtp://127.0.0.1:" + smtp.getPort() + "?connectionTimeout=1000",
                "runbook.notify.max-attempts", "1"));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        if (greenMail != null) {
            greenMail.stop();
        }
    }

    private JsonNode outbox(String query) throws Exception {
        HttpResponse<String> r = get(engine, "/api/outbox" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode byKey(JsonNode list, String key) {
        for (JsonNode m : list) {
            if (m.get("idempotencyKey").asText().equals(key)) {
                return m;
            }
        }
        return null;
    }

    @Test
    void aDeadMessageIsListedAndARetryDeliversIt() throws Exception {
        long id = engine.notifier().enqueue("email", "ops@example.com", "Backup failed", "see the log", "api-dead-1", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> byKey(outbox("?status=dead"), "api-dead-1") != null);
        JsonNode dead = byKey(outbox("?status=dead"), "api-dead-1");
        assertThat(dead.get("id").asLong()).isEqualTo(id);
        assertThat(dead.get("channel").asText()).isEqualTo("email");
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("lastError").asText()).startsWith("gave up after 1 attempts: ");
        assertThat(byKey(outbox("?status=sent"), "api-dead-1")).isNull();

        assertThat(post(engine, "/api/outbox/" + id + "/retry", null, "").statusCode()).isEqualTo(401);
        greenMail = new GreenMail(smtp);
        greenMail.start();
        HttpResponse<String> retried = post(engine, "/api/outbox/" + id + "/retry", TOKEN, "");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> byKey(outbox("?status=sent"), "api-dead-1") != null);
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("Backup failed");

        HttpResponse<String> again = post(engine, "/api/outbox/" + id + "/retry", TOKEN, "");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).get("error").asText()).isEqualTo("notification " + id + " is sent, not dead");
    }

    @Test
    void badRequestsAreRefusedWithAMessage() throws Exception {
        HttpResponse<String> unknown = post(engine, "/api/outbox/999999/retry", TOKEN, "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).isEqualTo("no notification with id 999999");
        HttpResponse<String> notANumber = post(engine, "/api/outbox/abc/retry", TOKEN, "");
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notANumber.body()).get("error").asText())
                .isEqualTo("notification id must be a number (was 'abc')");
        HttpResponse<String> badStatus = get(engine, "/api/outbox?status=lost");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badStatus.body()).get("error").asText())
                .isEqualTo("status must be pending, sending, sent or dead (was 'lost')");
    }
}
