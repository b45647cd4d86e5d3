package com.runbook.engine.report;

import com.runbook.engine.core.Notifier;

import java.util.Map;

/**
 * Wraps the real outbox: the n-th message queued through it is stored, then the call throws, which is what a crash
 * between "queued" and "row marked sent" looks like to the job. Used in place of the outbox for one run.
 */
final class CrashingNotifier implements Notifier {
    private final Notifier outbox;
    private int left;

    CrashingNotifier(Notifier outbox, int crashAfter) {
        this.outbox = outbox;
        this.left = crashAfter;
    }

    @Override
    public synchronized long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                                     Map<String, String> headers) {
        long id = outbox.enqueue(channel, recipient, subject, body, idempotencyKey, headers);
        if (--left == 0) {
            throw new IllegalStateException("simulated crash after queueing " + idempotencyKey);
        }
        return id;
    }
}
