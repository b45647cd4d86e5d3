package com.runbook.engine.report;

import com.runbook.engine.core.Notifier;

import java.util.List;
import java.util.Map;

/**
 * Stands in for the engine's notifier (given to {@code Engine.start} as the bean {@code notifier}, so the report beans
 * get it as their notifier) and passes every call to the notifier it is switched to: the outbox, or a
 * {@link CrashingNotifier} around it for one run.
 */
final class SwitchableNotifier implements Notifier {
    private volatile Notifier target;

    void use(Notifier notifier) {
        this.target = notifier;
    }

    private Notifier target() {
        Notifier t = target;
        if (t == null) {
            throw new IllegalStateException("no notifier to pass the message to yet");
        }
        return t;
    }

    @Override
    public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers) {
        return target().enqueue(channel, recipient, subject, body, idempotencyKey, headers);
    }

    @Override
    public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers, int priority) {
        return target().enqueue(channel, recipient, subject, body, idempotencyKey, headers, priority);
    }

    @Override
    public void enqueueNew(List<Outgoing> messages) {
        target().enqueueNew(messages);
    }
}
