package com.runbook.engine.notify;

import com.runbook.engine.Engine;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.http.ApiException;
import com.runbook.engine.http.Http;
import com.runbook.engine.observe.MetricsModule;
import com.runbook.engine.definition.Durations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;

/**
 * Binds the outbox as {@code notifier}, runs its dispatcher (order 100: before incidents and features), serves
 * {@code GET /api/outbox} and {@code POST /api/outbox/{id}/retry}, and registers the outbox metrics.
 */
public class NotifyModule implements EngineModule {
    private Dispatcher dispatcher;

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void start(Engine engine) throws Exception {
        Outbox outbox = new Outbox(engine.dataSource());
        String data = engine.dataDir().toString();
        Dispatcher.Settings settings = new Dispatcher.Settings(
                engine.property("runbook.notify.email.uri", "file:" + data + "/outbox/email"),
                engine.property("runbook.notify.email.from", "runbook-engine@localhost"),
                engine.property("runbook.notify.email.to", "oncall@localhost"),
                engine.property("runbook.notify.telegram.uri", "file:" + data + "/outbox/telegram"),
                engine.property("runbook.notify.telegram.chat-id", "0"),
                engine.property("runbook.notify.pubsub.uri", "file:" + data + "/outbox/pubsub/{topic}"),
                Integer.parseInt(engine.property("runbook.notify.max-attempts", "10")),
                Durations.parse(engine.property("runbook.notify.backoff", "2s")),
                Durations.parse(engine.property("runbook.notify.backoff-max", "5m")),
                Durations.parse(engine.property("runbook.notify.poll", "1s")),
                Durations.parse(engine.property("runbook.notify.lease", "2m")),
                Integer.parseInt(engine.property("runbook.notify.batch", "50")),
                Integer.parseInt(engine.property("runbook.notify.threads", "4")),
                Durations.parse(engine.property("runbook.notify.send-timeout", "15s")),
                Integer.parseInt(engine.property("runbook.notify.digest-over", "10")));
        checkSendTimeout(settings.sendTimeout(), settings.lease());
        dispatcher = new Dispatcher(engine.context(), outbox, settings);
        engine.context().getRegistry().bind("notifier", outbox);
        engine.context().getRegistry().bind("notifyDispatcher", dispatcher);
        engine.context().getRegistry().bind("outboxWrites", dispatcher.writes());
        dispatcher.start();
        engine.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                Http.endpoint(this, "api-outbox", "GET", "/api/outbox", null,
                        e -> outbox.list(Http.header(e, "status"), 500));
                Http.endpoint(this, "api-outbox-retry", "POST", "/api/outbox/{id}/retry", engine::apiToken,
                        e -> outbox.retry(id(Http.header(e, "id"))));
            }
        });
        MeterRegistry meters = MetricsModule.registry(engine);
        Gauge.builder("runbook.outbox.depth", outbox, o -> o.waiting().count())
                .description("Notifications waiting to be delivered (pending or being sent)").register(meters);
        Gauge.builder("runbook.outbox.oldest.age", outbox, o -> o.waiting().oldestAgeSeconds())
                .description("Age of the oldest notification still waiting (0 when none)").baseUnit("seconds")
                .register(meters);
    }

    /**
     * A send may outlive neither its lease nor its claim: the poller claims while other sends run, so a send longer
     * than the lease could find its own message claimed and sent again by this very node.
     */
    static void checkSendTimeout(Duration sendTimeout, Duration lease) {
        if (sendTimeout.isNegative() || sendTimeout.isZero() || sendTimeout.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("runbook.notify.send-timeout (" + Durations.format(sendTimeout)
                    + ") must be more than 0 and shorter than runbook.notify.lease (" + Durations.format(lease) + ")");
        }
    }

    static long id(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "notification id must be a number (was '" + s + "')");
        }
    }

    @Override
    public void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
