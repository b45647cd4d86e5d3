package com.runbook.engine.notify;

import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Pub/Sub Publisher gRPC service on a loopback port, as camel-google-pubsub reaches it with
 * {@code authenticate=false}: records every published message with its topic and answers with message ids.
 */
public final class FakePubSub implements AutoCloseable {
    public static final String PROJECT = "trading-prod";

    public record Published(String topic, PubsubMessage message) {
    }

    public final List<Published> published = new CopyOnWriteArrayList<>();
    private final Server server;

    public FakePubSub() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new PublisherGrpc.PublisherImplBase() {
            @Override
            public void publish(PublishRequest request, StreamObserver<PublishResponse> answer) {
                PublishResponse.Builder ids = PublishResponse.newBuilder();
                for (PubsubMessage m : request.getMessagesList()) {
                    published.add(new Published(request.getTopic(), m));
                    ids.addMessageIds(Integer.toString(published.size()));
                }
                answer.onNext(ids.build());
                answer.onCompleted();
            }
        }).build().start();
    }

    /** The engine properties that send pubsub:&lt;topic&gt; messages of the outbox here. */
    public Map<String, String> engineProperties() {
        return Map.of("runbook.notify.pubsub.uri", "google-pubsub:" + PROJECT + ":{topic}?authenticate=false",
                "camel.component.google-pubsub.endpoint", "127.0.0.1:" + server.getPort());
    }

    /** The messages published to one topic (short name, e.g. system-alerts). */
    public List<PubsubMessage> on(String topic) {
        String full = "projects/" + PROJECT + "/topics/" + topic;
        return published.stream().filter(p -> p.topic().equals(full)).map(Published::message).toList();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
