package com.runbook.engine.alert;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.definition.ReloadOutcome;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.definition.Runbooks.ALERT_ROUTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An alert never sees a half-applied reload of routes/: while {@code alert-routing} is being reloaded
 * (here held open in the moment its old version is removed and the new one not yet added), alerts wait and are then
 * routed by the new version; after {@code runbook.alert.reload-wait} nothing is stored and the sender is told 503.
 */
@Tag("db")
class RoutingDuringReloadTest {
    private static final int POSTERS = 4;
    private static final String WEBHOOK = "/webhooks/alertmanager";

    @TempDir
    Path dir;
    Engine engine;
    Path routing;
    final List<AutoCloseable> open = new ArrayList<>();
    final Queue<Throwable> holdErrors = new ConcurrentLinkedQueue<>();
    final AtomicInteger holds = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private void start(Map<String, String> props, Runnable whileRoutingIsRemoved) throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        routing = base.resolve("routes/" + ALERT_ROUTING + ".camel.yaml");
        engine = TestEngine.start(base, dir.resolve("data"), props);
        open.add(engine);
        CamelContext context = engine.context();
        EventNotifierSupport hold = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.RouteRemovedEvent removed
                        && ALERT_ROUTING.equals(removed.getRoute().getRouteId())) {
                    try {
                        whileRoutingIsRemoved.run();
                        holds.incrementAndGet();
                    } catch (Throwable t) {
                        holdErrors.add(t);
                    }
                }
            }
        };
        context.getCamelContextExtension().setEventNotificationApplicable(true);
        context.getManagementStrategy().addEventNotifier(hold);
        ServiceHelper.startService(hold);
    }

    /** Rewrites alert-routing (same rules) and waits until the engine has reloaded it and held the reload open. */
    private void reloadRouting(int round) throws Exception {
        ReloadOutcome before = engine.runbooks().lastOutcome();
        int held = holds.get();
        Files.writeString(routing, Files.readString(routing) + "# reload " + round + "\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.runbooks().lastOutcome() != before
                && holds.get() > held);
        assertThat(engine.runbooks().lastOutcome().status()).isEqualTo("applied");
    }

    /** Without a severity: only alert-routing makes it P1 (by its labels alone it is the default P3). */
    private static String regionDown(String fingerprint) {
        return Payloads.alertmanager("firing", fingerprint, Map.of("alertname", "RegionDown", "region", fingerprint));
    }

    private HttpResponse<String> post(String body) {
        try {
            return TestEngine.post(engine, WEBHOOK, TOKEN, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JdbcTemplate db() {
        return new JdbcTemplate(engine.dataSource());
    }

    @Test
    void regionDownsPostedWhileAlertRoutingIsReloadedAreAllP1AndEachStartsDnsFailoverOnce() throws Exception {
        // the reload is held with alert-routing removed until every poster has a request inside the engine
        start(Map.of("runbook.alert.reload-wait", "60s"), () -> await().atMost(Duration.ofSeconds(20))
                .until(() -> engine.context().getInflightRepository().size("webhook-alertmanager") >= POSTERS));
        AtomicBoolean posting = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
        ExecutorService posters = Executors.newFixedThreadPool(POSTERS);
        open.add(posters::shutdownNow);
        for (int t = 0; t < POSTERS; t++) {
            posters.submit(() -> {
                while (posting.get()) {
                    String alert = regionDown("fp-reload-" + sent.incrementAndGet());
                    for (int copy = 0; copy < 2; copy++) {   // the second is a re-sent alert: it starts nothing
                        statuses.add(TestEngine.post(engine, WEBHOOK, TOKEN, alert).statusCode());
                    }
                }
                return null;
            });
        }
        int rounds = 3;
        for (int round = 1; round <= rounds; round++) {
            reloadRouting(round);
        }
        posting.set(false);
        posters.shutdown();
        assertThat(posters.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(holdErrors).isEmpty();
        int alerts = sent.get();
        assertThat(statuses).hasSize(2 * alerts).containsOnly(202);
        assertThat(db().queryForList("select priority, count(*) n from incident where incident_key like"
                + " 'RegionDown/fp-reload-%' group by priority"))
                .as("every RegionDown is routed: P1, none paged by its labels alone (P3)")
                .singleElement().satisfies(row -> {
                    assertThat(row.get("priority")).isEqualTo("P1");
                    assertThat(((Number) row.get("n")).intValue()).isEqualTo(alerts);
                });
        assertThat(db().queryForObject("select count(*) from job_run where job = 'dns-failover' and run_trigger ="
                + " 'alert'", Integer.class)).as("dns-failover started once per incident").isEqualTo(alerts);
    }

    @Test
    void anAlertThatWaitedLongerThanTheReloadWaitIsNotStoredAndIsAcceptedWhenSentAgain() throws Exception {
        List<HttpResponse<String>> during = new ArrayList<>();
        start(Map.of("runbook.alert.reload-wait", "200ms"),
                () -> during.add(post(regionDown("fp-wait"))));
        reloadRouting(1);

        assertThat(holdErrors).isEmpty();
        assertThat(during).singleElement().satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).as("when to send again").hasValue("5");
            assertThat(r.body()).isEqualTo("{\"error\":\"" + ReloadInProgress.MESSAGE + "\"}");
        });
        assertThat(db().queryForObject("select count(*) from alert_event where fingerprint = 'fp-wait'", Integer.class))
                .as("nothing stored for the refused alert").isZero();
        // the sender delivers it again (Alertmanager retries 5xx)
        assertThat(TestEngine.post(engine, WEBHOOK, TOKEN, regionDown("fp-wait")).statusCode()).isEqualTo(202);
        assertThat(db().queryForObject("select priority from incident where incident_key = 'RegionDown/fp-wait'",
                String.class)).isEqualTo("P1");
        assertThat(db().queryForObject("select count(*) from job_run where job = 'dns-failover' and run_trigger ="
                + " 'alert'", Integer.class)).isEqualTo(1);
    }
}
