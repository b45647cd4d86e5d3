package com.runbook.engine.core;

/** Who holds a bearer token: the HTTP edge asks it for every request to a door that is not open. */
@FunctionalInterface
public interface Identities {
    /**
     * The actor holding {@code token} (the bootstrap admin token, or a personal token that is neither revoked nor
     * expired, looked up at every request: a revoked token stops working at once).
     *
     * @param token the bearer token as sent (null when the request sent none)
     * @throws Refused {@code UNAUTHENTICATED} with a message for a missing, unknown, revoked or expired token
     */
    Actor authenticate(String token);
}
