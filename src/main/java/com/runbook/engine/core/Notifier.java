package com.runbook.engine.core;

import java.util.List;
import java.util.Map;

/**
 * Queues a message for durable, retried delivery (the outbox). Bound in the Camel registry as {@code notifier}.
 * Channels: {@code email}, {@code telegram}, {@code pubsub:<topic>}. Due messages go out by delivery priority (1
 * first), oldest first within one: 1-4 are the pages of a P1-P4 incident, {@link #BULK} everything else.
 */
public interface Notifier {
    /** The delivery priority of a message that is not an incident page (reports, bulk email): after every page. */
    int BULK = 5;

    /**
     * Queues one message. A second call with the same {@code idempotencyKey} queues nothing and returns the
     * first message's id, so a retried job never sends twice.
     *
     * @param recipient an email address, a Telegram chat id, or null for the channel's configured default
     * @param headers   extra channel headers; for email {@code Content-Type} (default text/plain) and an attachment:
     *                  {@code Attachment-Path} (a file the dispatcher reads when it sends), {@code Attachment-Name},
     *                  {@code Attachment-Type}
     */
    long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                 Map<String, String> headers);

    /**
     * As {@link #enqueue(String, String, String, String, String, Map)} (which queues with priority {@link #BULK}),
     * with a delivery priority: 1-4 for the pages of a P1-P4 incident, 5 for the rest. This default, for notifiers
     * without priorities (test recorders), ignores it.
     */
    default long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                         Map<String, String> headers, int priority) {
        return enqueue(channel, recipient, subject, body, idempotencyKey, headers);
    }

    /** One message for {@link #enqueueNew}: the arguments of {@link #enqueue}, with its delivery priority. */
    record Outgoing(String channel, String recipient, String subject, String body, String idempotencyKey,
                    Map<String, String> headers, int priority) {
        /** A message of priority {@link #BULK}. */
        public Outgoing(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers) {
            this(channel, recipient, subject, body, idempotencyKey, headers, BULK);
        }
    }

    /**
     * Queues messages whose idempotency keys cannot exist yet (they name a row created in the same transaction, e.g.
     * {@code incident-<new id>-open-email}). The outbox inserts them in one batched statement without looking for
     * the keys first; a key that does exist fails the statement (and so the caller's transaction) instead of being
     * skipped. This default queues each with {@link #enqueue}.
     */
    default void enqueueNew(List<Outgoing> messages) {
        for (Outgoing m : messages) {
            enqueue(m.channel(), m.recipient(), m.subject(), m.body(), m.idempotencyKey(), m.headers(), m.priority());
        }
    }
}
