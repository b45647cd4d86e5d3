package com.runbook.engine.dns;

/**
 * A DNS step that failed or was refused, and why. The message is the contract; in a job run it becomes the run's
 * error, and the DNS doors answer it as a refusal or a failure (see {@link DnsModule}).
 */
class DnsException extends RuntimeException {
    /** Why a DNS step did not happen. */
    enum Kind {
        /** Bad input: an unknown target, a flag that is not true or false. */
        INVALID,
        /** The state forbids it now: within the cooldown, nothing to roll back. */
        CONFLICT,
        /** What it needs is not there or not fit: an unhealthy target, a record that does not exist. */
        UNPROCESSABLE,
        /** The provider or the verification failed. */
        FAILED,
        /** DNS failover is not configured, or the step was interrupted. */
        UNAVAILABLE
    }

    private final Kind kind;

    DnsException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
