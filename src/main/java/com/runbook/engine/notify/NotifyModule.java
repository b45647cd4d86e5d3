package com.runbook.engine.notify;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.http.ApiException;
import com.runbook.engine.http.Http;
import com.runbook.engine.definition.Durations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;

import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Binds the outbox as {@code notifier}, runs its dispatcher (order 100: before incidents and features), serves
 * {@code GET /api/outbox} and {@code POST /api/outbox/{id}/retry}, and registers the outbox metrics.
 */
public class NotifyModule implements EngineModule {
    private final Outbox outbox;
    private Dispatcher dispatcher;
    private BiConsumer<Outbox.Message, String> onDead = (m, e) -> { };

    /** The module delivering what {@code outbox} queues. */
    public NotifyModule(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Told of each message that will not be delivered (its last attempt failed). */
    public void onDead(BiConsumer<Outbox.Message, String> listener) {
        this.onDead = listener;
        if (dispatcher != null) {
            dispatcher.onDead(listener);
        }
    }


    @Override
    public void start(Parts parts) throws Exception {
        String data = parts.dataDir().toString();
        Dispatcher.Settings settings = new Dispatcher.Settings(
                parts.settings().get("runbook.notify.email.uri", "file:" + data + "/outbox/email"),
                parts.settings().get("runbook.notify.email.from", "runbook-engine@localhost"),
                parts.settings().get("runbook.notify.email.to", "oncall@localhost"),
                parts.settings().get("runbook.notify.telegram.uri", "file:" + data + "/outbox/telegram"),
                parts.settings().get("runbook.notify.telegram.chat-id", "0"),
                parts.settings().get("runbook.notify.pubsub.uri", "file:" + data + "/outbox/pubsub/{topic}"),
                Integer.parseInt(parts.settings().get("runbook.notify.max-attempts", "10")),
                Durations.parse(parts.settings().get("runbook.notify.backoff", "2s")),
                Durations.parse(parts.settings().get("runbook.notify.backoff-max", "5m")),
                Durations.parse(parts.settings().get("runbook.notify.poll", "1s")),
                Durations.parse(parts.settings().get("runbook.notify.lease", "2m")),
                Integer.parseInt(parts.settings().get("runbook.notify.batch", "50")),
                Integer.parseInt(parts.settings().get("runbook.notify.threads", "4")),
                Durations.parse(parts.settings().get("runbook.notify.send-timeout", "15s")),
                Integer.parseInt(parts.settings().get("runbook.notify.digest-over", "10")));
        checkSendTimeout(settings.sendTimeout(), settings.lease());
        dispatcher = new Dispatcher(parts.camel(), outbox, settings, parts.writes());
        dispatcher.onDead(onDead);
        parts.camel().getRegistry().bind("notifier", outbox);
        dispatcher.start();
        parts.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                Http.endpoint(this, "api-outbox", "GET", "/api/outbox", null,
                        e -> outbox.list(Http.header(e, "status"), 500));
                Http.endpoint(this, "api-outbox-retry", "POST", "/api/outbox/{id}/retry", parts.apiToken(),
                        e -> outbox.retry(id(Http.header(e, "id"))));
            }
        });
        MeterRegistry meters = parts.meters();
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
