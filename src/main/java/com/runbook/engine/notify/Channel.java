package com.runbook.engine.notify;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;

import java.util.Optional;

/**
 * One transport the outbox delivers to (email, Telegram, Pub/Sub): it says which channel addresses it serves and
 * turns a claimed message into the exchange its Camel endpoint sends. The dispatcher does the rest (deadline, retries,
 * digests, recording the outcome). Each transport lives in its own package with its settings and its test.
 */
public interface Channel {
    /** The header carrying a message's idempotency key (email header, Pub/Sub attribute). */
    String IDEMPOTENCY_HEADER = "X-Idempotency-Key";

    /** How incident pages due together for one recipient on a channel are grouped into digests. */
    enum Grouping {
        /** Never grouped (read by programs). */
        NONE,
        /** Each page's subject and text, one after the other (email). */
        FULL_TEXT,
        /** One line per page, its subject cut short, under a chat message's size limit (Telegram). */
        SUBJECT_LINES
    }

    /** The channel's name as messages address it ({@code email}, {@code telegram}, {@code pubsub}). */
    String name();

    /** How an address of this channel is written, for error messages ({@code pubsub:<topic>}). */
    default String addressForm() {
        return name();
    }

    /** Whether this channel delivers messages addressed to {@code address}. */
    default boolean serves(String address) {
        return name().equals(address);
    }

    default Grouping grouping() {
        return Grouping.NONE;
    }

    /**
     * True when sends must go one at a time (camel-telegram's producer is not safe for concurrent sends); the
     * dispatcher then waits for the previous send for at most half of a send's deadline.
     */
    default boolean oneAtATime() {
        return false;
    }

    /** The channel's name in messages to people ({@code Telegram}). */
    default String title() {
        return name();
    }

    /**
     * The HTTP status a failure of this channel's endpoint carries in a form the dispatcher cannot read by itself
     * (not {@code HttpResponseAware}), or -1.
     */
    default int httpStatus(Throwable failure) {
        return -1;
    }

    /**
     * Whether this failure (one cause of a failed send) is final for this transport (true: the message is dead at
     * once) or surely transient (false); empty when the transport cannot tell and the next cause is asked.
     */
    default Optional<Boolean> permanent(Throwable failure) {
        return Optional.empty();
    }

    /**
     * Puts {@code message} on {@code exchange} (headers, body, attachments) and answers the endpoint URI it is sent
     * to. A failure here (an attachment that cannot be read) fails the attempt like a failed send.
     */
    String prepare(Outbox.Message message, Exchange exchange) throws Exception;

    /**
     * Called once for each endpoint this channel's messages go to, after the dispatcher resolved it and before its
     * first send (email: keeps SMTP connections open between messages). Nothing by default.
     */
    default void configure(Endpoint endpoint) {
    }
}
