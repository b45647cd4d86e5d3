package com.runbook.engine.notify;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * Binds the outbox as {@code notifier}, runs its dispatcher over the channels it is given, serves
 * {@code GET /api/outbox} and {@code POST /api/outbox/{id}/retry}, and registers the outbox metrics.
 */
public final class NotifyModule implements EngineModule {
    private final Outbox outbox;
    private final Channels channels;
    private Dispatcher dispatcher;
    private volatile BiConsumer<Outbox.Message, String> onDead = (m, e) -> { };

    /** The module delivering what {@code outbox} queues through {@code channels} (the only ones it accepts). */
    public NotifyModule(Outbox outbox, Channel... channels) {
        this.outbox = outbox;
        this.channels = new Channels(List.of(channels));
        outbox.channels(this.channels);
    }

    /** Told of each message that will not be delivered (its last attempt failed); may be set after start. */
    public void onDead(BiConsumer<Outbox.Message, String> listener) {
        this.onDead = listener;
        if (dispatcher != null) {
            dispatcher.onDead(listener);
        }
    }

    @Override
    public void start(Parts parts) throws Exception {
        dispatcher = new Dispatcher(parts.camel(), outbox, NotifySettings.from(parts.settings()), parts.writes(), channels);
        dispatcher.onDead((message, error) -> onDead.accept(message, error));
        parts.camel().getRegistry().bind("notifier", outbox);
        dispatcher.start();
        parts.doors().open(Door.read("api-outbox", "/api/outbox", r -> Reply.ok(outbox.list(r.query("status"), 500))));
        parts.doors().open(Door.change("api-outbox-retry", "/api/outbox/{id}/retry",
                r -> Reply.ok(outbox.retry(id(r.path("id")), r.caller(), parts.audit()))));
        MeterRegistry meters = parts.meters();
        Gauge.builder("runbook.outbox.depth", outbox, o -> o.waiting().count())
                .description("Notifications waiting to be delivered (pending or being sent)").register(meters);
        Gauge.builder("runbook.outbox.oldest.age", outbox, o -> o.waiting().oldestAgeSeconds())
                .description("Age of the oldest notification still waiting (0 when none)").baseUnit("seconds")
                .register(meters);
    }

    private static long id(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Refused.invalid("notification id must be a number (was '" + s + "')");
        }
    }

    @Override
    public void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
