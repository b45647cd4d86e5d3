package com.runbook.engine.access;

import java.util.Locale;

/** Whether a personal token works: active, revoked (by an admin) or expired (its {@code expiresAt} passed). */
enum TokenStatus {
    ACTIVE, REVOKED, EXPIRED;

    /** As the API shows it: {@code active}, {@code revoked}, {@code expired}. */
    String stored() {
        return name().toLowerCase(Locale.ROOT);
    }
}
