package com.runbook.engine.core;

/**
 * What a {@link Door} answers: a body (serialised as JSON, or sent as text) and how it went. The HTTP edge maps
 * {@link Outcome} to a status code; features never name one.
 */
public record Reply(Outcome outcome, Object body) {
    /** How a request went. */
    public enum Outcome {
        /** Done, or read (HTTP 200). */
        OK,
        /** Created: what the request made is in the body (HTTP 201). */
        CREATED,
        /** Taken, and going on in the background (HTTP 202). */
        ACCEPTED,
        /** The runbook ran and failed downstream, e.g. the trading API refused (HTTP 502); the body says how. */
        FAILED,
        /** The engine cannot serve it now (HTTP 503); the body says why. */
        UNAVAILABLE
    }

    public static Reply ok(Object body) {
        return new Reply(Outcome.OK, body);
    }

    public static Reply created(Object body) {
        return new Reply(Outcome.CREATED, body);
    }

    public static Reply accepted(Object body) {
        return new Reply(Outcome.ACCEPTED, body);
    }

    public static Reply failed(Object body) {
        return new Reply(Outcome.FAILED, body);
    }

    public static Reply unavailable(Object body) {
        return new Reply(Outcome.UNAVAILABLE, body);
    }
}
