package com.runbook.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** pubsub:&lt;topic&gt; messages through camel-google-pubsub to a Pub/Sub Publisher gRPC service on loopback. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubSubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    final List<String> topics = new CopyOnWriteArrayList<>();
    final List<PubsubMessage> published = new CopyOnWriteArrayList<>();
    Server server;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new PublisherGrpc.PublisherImplBase() {
            @Override
            public void publish(PublishRequest request, StreamObserver<PublishResponse> answer) {
                PublishResponse.Builder ids = PublishResponse.newBuilder();
                for (PubsubMessage m : request.getMessagesList()) {
                    topics.add(request.getTopic());
                    published.add(m);
                    ids.addMessageIds(Integer.toString(published.size()));
                }
                answer.onNext(ids.build());
                answer.onCompleted();
            }
        }).build().start();
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.notify.pubsub.uri", "google-pubsub:trading-prod:{topic}?authenticate=false",
                "camel.component.google-pubsub.endpoint", "127.0.0.1:" + server.getPort()));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        server.shutdownNow();
    }

    @Test
    void aMessageIsPublishedToItsTopicWithTheIdempotencyKeyAsAttribute() throws Exception {
        engine.notifier().enqueue("pubsub:system-alerts", null, "Emergency stop", "trading halted by ops", "estop-1", Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> published.size() == 1);
        assertThat(topics).containsExactly("projects/trading-prod/topics/system-alerts");
        PubsubMessage m = published.get(0);
        assertThat(m.getAttributesMap()).containsEntry("idempotencyKey", "estop-1");
        JsonNode body = JSON.readTree(m.getData().toStringUtf8());
        assertThat(body.get("subject").asText()).isEqualTo("Emergency stop");
        assertThat(body.get("body").asText()).isEqualTo("trading halted by ops");
        assertThat(body.get("idempotencyKey").asText()).isEqualTo("estop-1");
    }
}
