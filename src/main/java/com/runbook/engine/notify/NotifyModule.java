package com.runbook.engine.notify;

import com.runbook.engine.Engine;
import com.runbook.engine.EngineModule;
import com.runbook.engine.observe.MetricsModule;
import com.runbook.engine.schedule.Durations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Binds the outbox as {@code notifier} and runs its dispatcher (order 100: before incidents and features). */
public class NotifyModule implements EngineModule {
    private Dispatcher dispatcher;

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void start(Engine engine) {
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
                Integer.parseInt(engine.property("runbook.notify.threads", "4")));
        dispatcher = new Dispatcher(engine.context(), outbox, settings);
        engine.context().getRegistry().bind("notifier", outbox);
        engine.context().getRegistry().bind("notifyDispatcher", dispatcher);
        dispatcher.start();
        MeterRegistry meters = MetricsModule.registry(engine);
        Gauge.builder("runbook.outbox.depth", outbox, o -> o.waiting().count())
                .description("Notifications waiting to be delivered (pending or being sent)").register(meters);
        Gauge.builder("runbook.outbox.oldest.age", outbox, o -> o.waiting().oldestAgeSeconds())
                .description("Age of the oldest notification still waiting (0 when none)").baseUnit("seconds")
                .register(meters);
    }

    @Override
    public void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
