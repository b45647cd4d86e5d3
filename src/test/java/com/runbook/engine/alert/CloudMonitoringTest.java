package com.runbook.engine.alert;

import com.runbook.engine.core.RunRecord;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import com.google.pubsub.v1.SubscriberGrpc;
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
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Google Cloud Monitoring incidents read by camel-google-pubsub from a subscription served by an in-process gRPC
 * Subscriber (streaming pull for delivery, unary acknowledge / modifyAckDeadline, as the real service).
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudMonitoringTest {
    static final String SUBSCRIPTION = "projects/trading-prod/subscriptions/monitoring-incidents";
    @TempDir
    static Path dir;
    final FakeSubscription subscription = new FakeSubscription();
    Server server;
    Engine engine;
    JdbcTemplate db;

    @BeforeAll
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(subscription)
                .build().start();
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.alert.pubsub.uri", "google-pubsub:trading-prod:monitoring-incidents?authenticate=false",
                "camel.component.google-pubsub.endpoint", "127.0.0.1:" + server.getPort()));
        db = new JdbcTemplate(engine.dataSource());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        server.shutdownNow();
    }

    static String incident(String id, String state, String severity) {
        return incident(id, state, severity, "API latency");
    }

    static String incident(String id, String state, String severity, String policy) {
        return """
                {"version": "1.2", "incident": {"incident_id": "%s", "scoping_project_id": "trading-prod",
                 "url": "https://console.cloud.google.com/monitoring/alerting/incidents/%s?project=trading-prod",
                 "started_at": 1795600000, "ended_at": %s, "state": "%s",
                 "resource_display_name": "api-1", "resource": {"type": "gce_instance",
                   "labels": {"instance_id": "1234", "project_id": "trading-prod", "zone": "europe-west1-b"}},
                 "policy_name": "%s", "policy_user_labels": {"team": "platform"},
                 "condition_name": "p99 latency above 2 s", "severity": "%s",
                 "summary": "p99 latency for api-1 is above the threshold of 2 with a value of 3.4."}}
                """.formatted(id, id, state.equals("closed") ? "1795603600" : "null", state, policy, severity);
    }

    private List<Map<String, Object>> incidents(String key) {
        return db.queryForList("select id, priority, status, title, detail from incident where incident_key = ?", key);
    }

    private List<String> pages(Object incident) {
        return db.queryForList("select idempotency_key from notification where idempotency_key like ? order by id",
                String.class, "incident-" + incident + "-%");
    }

    @Test
    void anOpenIncidentBecomesAnIncidentAndClosedResolvesIt() {
        String ackId = subscription.publish(incident("0.open1", "open", "Critical"));
        await().atMost(Duration.ofSeconds(30)).until(() -> subscription.acked.contains(ackId));
        List<Map<String, Object>> rows = incidents("API latency/0.open1");
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row.get("PRIORITY")).isEqualTo("P1");   // severity Critical -> critical -> P1
        assertThat(row.get("STATUS")).isEqualTo("open");
        assertThat(row.get("TITLE")).isEqualTo("API latency: p99 latency above 2 s on api-1");
        assertThat((String) row.get("DETAIL")).startsWith("p99 latency for api-1 is above the threshold")
                .contains("https://console.cloud.google.com/monitoring/alerting/incidents/0.open1");
        Object id = row.get("ID");
        assertThat(pages(id)).containsExactly("incident-" + id + "-open-telegram", "incident-" + id + "-open-email",
                "incident-" + id + "-open-pubsub:incident-notifications");
        assertThat(db.queryForObject("select count(*) from alert_event where source = 'cloud-monitoring'"
                + " and fingerprint = '0.open1'", Integer.class)).isEqualTo(1);

        String closeAck = subscription.publish(incident("0.open1", "closed", "Critical"));
        await().atMost(Duration.ofSeconds(30)).until(() -> subscription.acked.contains(closeAck));
        assertThat(incidents("API latency/0.open1").get(0).get("STATUS")).isEqualTo("resolved");
        assertThat(pages(id)).filteredOn(k -> k.contains("-resolved-")).hasSize(3);
    }

    @Test
    void aRedeliveredMessageDoesNotPageTwice() {
        String body = incident("0.redeliver", "open", "Warning");
        String first = subscription.publish(body);
        await().atMost(Duration.ofSeconds(30)).until(() -> subscription.acked.contains(first));
        String again = subscription.publish(body);   // Pub/Sub is at least once: the same message once more
        await().atMost(Duration.ofSeconds(30)).until(() -> subscription.acked.contains(again));
        List<Map<String, Object>> rows = incidents("API latency/0.redeliver");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("PRIORITY")).isEqualTo("P3");
        assertThat(pages(rows.get(0).get("ID"))).hasSize(1);   // P3: one email, not two
        assertThat(db.queryForObject("select occurrences from incident where id = ?", Integer.class,
                rows.get(0).get("ID"))).isEqualTo(2);
    }

    @Test
    void aMalformedMessageIsAcknowledgedAndStoresNothing() {
        int incidents = db.queryForObject("select count(*) from incident", Integer.class);
        int events = db.queryForObject("select count(*) from alert_event", Integer.class);
        String notJson = subscription.publish("this is not JSON");
        String noState = subscription.publish("{\"incident\": {\"incident_id\": \"0.bad\", \"policy_name\": \"X\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> subscription.acked.containsAll(List.of(notJson, noState)));
        assertThat(db.queryForObject("select count(*) from incident", Integer.class)).isEqualTo(incidents);
        assertThat(db.queryForObject("select count(*) from alert_event", Integer.class)).isEqualTo(events);
        assertThat(subscription.nacked).doesNotContain(notJson, noState);
    }

    /**
     * The subscription is read only while the engine is ready. A RegionDown published before the engine
     * starts is handled once, after ready, with the alert routing in force (P1, dns-failover); at the start of
     * shutdown the engine stops reading while the alert routing still runs; one published while it is down is handled
     * by the next start; nothing is handled twice.
     */
    @Test
    void incidentsPublishedBeforeStartOrWhileDownAreHandledOnceAfterReadyWithTheRoutingInForce() throws Exception {
        FakeSubscription sub = new FakeSubscription();
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(sub).build().start();
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("restart-base"));
        Map<String, String> props = new java.util.HashMap<>(TestEngine.databaseProperties());   // one database for both
        props.put("runbook.alert.pubsub.uri", "google-pubsub:trading-prod:monitoring-incidents?authenticate=false");
        props.put("camel.component.google-pubsub.endpoint", "127.0.0.1:" + grpc.getPort());
        AtomicReference<Engine> running = new AtomicReference<>();
        List<Integer> answersWhenReadStarts = new CopyOnWriteArrayList<>();
        List<String> stateWhenReadEnds = new CopyOnWriteArrayList<>();
        AtomicInteger port = new AtomicInteger();
        sub.onStreamOpened = () -> answersWhenReadStarts.add(apiStatus(port.get()));
        sub.onStreamEnded = () -> {
            Engine e = running.get();
            stateWhenReadEnds.add(e.door().phase() + " alert-routing "
                    + e.context().getRouteController().getRouteStatus("alert-routing"));
        };
        try {
            String before = sub.publish(incident("0.region-before", "open", "Critical", "RegionDown"));
            port.set(TestEngine.freePort());
            props.put("camel.server.port", Integer.toString(port.get()));
            running.set(TestEngine.start(base, dir.resolve("restart-data"), props));
            await().atMost(Duration.ofSeconds(30)).until(() -> sub.acked.contains(before));
            assertThat(answersWhenReadStarts).as("the engine answers requests when it starts reading").isNotEmpty()
                    .containsOnly(200);
            Engine first = running.get();
            assertThat(TestEngine.incidents(first, "RegionDown/0.region-before")).singleElement()
                    .satisfies(i -> assertThat(i.get("priority").asText()).isEqualTo("P1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> first.runs().list("dns-failover", 10).size() == 1);

            first.close();
            assertThat(stateWhenReadEnds).as("reading stopped at the start of shutdown, the routing still in force")
                    .isNotEmpty().allMatch(s -> s.equals("STOPPING alert-routing Started"));
            String whileDown = sub.publish(incident("0.region-down", "open", "Critical", "RegionDown"));
            answersWhenReadStarts.clear();
            port.set(TestEngine.freePort());
            props.put("camel.server.port", Integer.toString(port.get()));
            running.set(TestEngine.start(base, dir.resolve("restart-data"), props));
            Engine second = running.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> sub.acked.contains(whileDown));
            assertThat(answersWhenReadStarts).isNotEmpty().containsOnly(200);
            assertThat(TestEngine.incidents(second, "RegionDown/")).hasSize(2)
                    .allSatisfy(i -> assertThat(i.get("priority").asText()).isEqualTo("P1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> second.runs().list("dns-failover", 10).size() == 2);
            assertThat(second.runs().list("dns-failover", 10).stream().map(RunRecord::json).toList()).allSatisfy(run -> assertThat(run)
                    .containsEntry("trigger", "alert"));
            JdbcTemplate jdbc = new JdbcTemplate(second.dataSource());
            assertThat(jdbc.queryForList("select fingerprint from alert_event where source = 'cloud-monitoring'",
                    String.class)).containsExactlyInAnyOrder("0.region-before", "0.region-down");
            assertThat(sub.nacked).isEmpty();
        } finally {
            running.get().close();
            grpc.shutdownNow();
        }
    }

    /** The status of GET /api/incidents on the engine at {@code port} (503 while not ready), -1 without an answer. */
    private static int apiStatus(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/incidents")).header("Authorization", "Bearer " + TestEngine.TOKEN)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** One subscription: messages go out on every open streaming pull, and on unary pulls; acks are recorded. */
    static class FakeSubscription extends SubscriberGrpc.SubscriberImplBase {
        final LinkedBlockingQueue<ReceivedMessage> queue = new LinkedBlockingQueue<>();
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final List<String> nacked = new CopyOnWriteArrayList<>();
        final List<StreamObserver<StreamingPullResponse>> streams = new CopyOnWriteArrayList<>();
        final AtomicInteger ids = new AtomicInteger();
        /** Run when a streaming pull opens (the engine starts reading) and when one ends. */
        volatile Runnable onStreamOpened = () -> { };
        volatile Runnable onStreamEnded = () -> { };

        /** Publishes {@code data} and answers its ack id. */
        String publish(String data) {
            int n = ids.incrementAndGet();
            ReceivedMessage m = ReceivedMessage.newBuilder().setAckId("ack-" + n).setMessage(PubsubMessage.newBuilder()
                    .setMessageId(Integer.toString(n)).setData(ByteString.copyFromUtf8(data))).build();
            queue.add(m);
            flush();
            return m.getAckId();
        }

        synchronized void flush() {
            if (streams.isEmpty()) {
                return;
            }
            ReceivedMessage m;
            while ((m = queue.poll()) != null) {
                streams.get(0).onNext(StreamingPullResponse.newBuilder().addReceivedMessages(m).build());
            }
        }

        @Override
        public StreamObserver<StreamingPullRequest> streamingPull(StreamObserver<StreamingPullResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(StreamingPullRequest request) {
                    acked.addAll(request.getAckIdsList());
                    if (!request.getSubscription().isEmpty()) {
                        assertThat(request.getSubscription()).isEqualTo(SUBSCRIPTION);
                        streams.add(out);
                        onStreamOpened.run();
                        flush();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    streams.remove(out);
                    onStreamEnded.run();
                }

                @Override
                public void onCompleted() {
                    streams.remove(out);
                    onStreamEnded.run();
                    out.onCompleted();
                }
            };
        }

        @Override
        public void pull(PullRequest request, StreamObserver<PullResponse> out) {
            PullResponse.Builder answer = PullResponse.newBuilder();
            ReceivedMessage m;
            while (answer.getReceivedMessagesCount() < Math.max(1, request.getMaxMessages()) && (m = queue.poll()) != null) {
                answer.addReceivedMessages(m);
            }
            out.onNext(answer.build());
            out.onCompleted();
        }

        @Override
        public void acknowledge(AcknowledgeRequest request, StreamObserver<Empty> out) {
            acked.addAll(request.getAckIdsList());
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void modifyAckDeadline(ModifyAckDeadlineRequest request, StreamObserver<Empty> out) {
            if (request.getAckDeadlineSeconds() == 0) {
                nacked.addAll(request.getAckIdsList());
            }
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }
    }
}
