package com.runbook.engine.core;

/**
 * A request that domain code refuses, with why and the message the caller sees. Only the HTTP edge
 * ({@code http.Http}) turns the reason into a status code (400, 401, 403, 404, 409, 422, 503).
 */
public class Refused extends RuntimeException {
    /** Why a request is refused. */
    public enum Reason {
        /** The input is malformed or breaks a rule (HTTP 400). */
        INVALID,
        /** Credentials are missing or wrong (HTTP 401). */
        UNAUTHENTICATED,
        /** The caller is known but its role does not allow this (HTTP 403). */
        FORBIDDEN,
        /** What the request names does not exist (HTTP 404). */
        NOT_FOUND,
        /** The request clashes with the current state (HTTP 409). */
        CONFLICT,
        /** The request is well formed, but what it names cannot be acted on (an unhealthy target, a missing record) (HTTP 422). */
        UNPROCESSABLE,
        /** The engine cannot take the request now; nothing was done and the sender should send it again (HTTP 503). */
        UNAVAILABLE
    }

    private final Reason reason;

    public Refused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public static Refused invalid(String message) {
        return new Refused(Reason.INVALID, message);
    }

    public static Refused unauthenticated(String message) {
        return new Refused(Reason.UNAUTHENTICATED, message);
    }

    public static Refused forbidden(String message) {
        return new Refused(Reason.FORBIDDEN, message);
    }

    public Reason reason() {
        return reason;
    }
}
