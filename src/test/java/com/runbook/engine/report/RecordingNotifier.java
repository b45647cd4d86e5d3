package com.runbook.engine.report;

import com.runbook.engine.notify.Notifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stands in for the outbox until the notify module lands: records every queued message and, like the real outbox,
 * queues nothing for an idempotency key it has seen. {@link #crashAfter(int)} makes the n-th new message be stored
 * and then throw, which is what a crash between "queued" and "row marked sent" looks like to the job.
 * On merge, tests can swap this for the real outbox and GreenMail: they only use {@link #messages()}.
 */
public final class RecordingNotifier implements Notifier {
    public record Message(long id, String channel, String recipient, String subject, String body, String key,
                          Map<String, String> headers) {
    }

    private final Map<String, Message> byKey = new LinkedHashMap<>();
    private int calls;
    private int crashAfter = -1;

    @Override
    public synchronized long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                                     Map<String, String> headers) {
        calls++;
        Message existing = byKey.get(idempotencyKey);
        if (existing != null) {
            return existing.id();
        }
        Message m = new Message(byKey.size() + 1, channel, recipient, subject, body, idempotencyKey, Map.copyOf(headers));
        byKey.put(idempotencyKey, m);
        if (crashAfter >= 0 && byKey.size() >= crashAfter) {
            crashAfter = -1;
            throw new IllegalStateException("simulated crash after queueing " + idempotencyKey);
        }
        return m.id();
    }

    /** The n-th new message (counting from now, 1-based) is stored, then the call throws once. */
    public synchronized void crashAfter(int n) {
        crashAfter = byKey.size() + n;
    }

    public synchronized List<Message> messages() {
        return new ArrayList<>(byKey.values());
    }

    /** Every call, including the ones the key deduplicated. */
    public synchronized int calls() {
        return calls;
    }
}
