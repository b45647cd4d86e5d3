package com.runbook.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.pubsub.v1.PubsubMessage;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** pubsub:&lt;topic&gt; messages through camel-google-pubsub to a Pub/Sub Publisher gRPC service on loopback. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubSubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    FakePubSub pubsub;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        pubsub = new FakePubSub();
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), pubsub.engineProperties());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        pubsub.close();
    }

    @Test
    void aMessageIsPublishedToItsTopicWithTheIdempotencyKeyAsAttribute() throws Exception {
        engine.notifier().enqueue("pubsub:system-alerts", null, "Emergency stop", "trading halted by ops", "estop-1", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> pubsub.published.size() == 1);
        assertThat(pubsub.published).extracting(FakePubSub.Published::topic).containsExactly("projects/trading-prod/topics/system-alerts");
        PubsubMessage m = pubsub.on("system-alerts").get(0);
        assertThat(m.getAttributesMap()).containsEntry("idempotencyKey", "estop-1");
        JsonNode body = JSON.readTree(m.getData().toStringUtf8());
        assertThat(body.get("subject").asText()).isEqualTo("Emergency stop");
        assertThat(body.get("body").asText()).isEqualTo("trading halted by ops");
        assertThat(body.get("idempotencyKey").asText()).isEqualTo("estop-1");
    }
}
