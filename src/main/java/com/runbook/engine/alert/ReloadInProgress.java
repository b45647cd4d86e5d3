package com.runbook.engine.alert;

/**
 * Alerts not accepted because the runbook files (the alert routing, the runbooks it starts, the maintenance windows)
 * were still being reloaded when the intake's wait ran out: nothing is stored, and the sender delivers them again
 * (a webhook is refused as unavailable, a Pub/Sub message is not acknowledged).
 */
final class ReloadInProgress extends RuntimeException {
    static final String MESSAGE = "the runbook files are being reloaded: nothing stored, send again";

    ReloadInProgress() {
        super(MESSAGE, null, false, false);
    }
}
