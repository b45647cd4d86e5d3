package com.runbook.engine.incident;

import java.util.Locale;

/** An incident's priority: P1 critical (page on-call now) to P4 low (log only). Stored by its name. */
public enum Priority {
    P1, P2, P3, P4;

    /** {@code P1}..{@code P4} in any case, surrounding blanks ignored; null for anything else. */
    public static Priority parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "P1" -> P1;
            case "P2" -> P2;
            case "P3" -> P3;
            case "P4" -> P4;
            default -> null;
        };
    }

    /** As {@link #parse}, refusing anything but P1..P4. */
    static Priority of(String text) {
        Priority p = parse(text);
        if (p == null) {
            throw new IllegalArgumentException("priority must be one of P1, P2, P3, P4 (was '" + text + "')");
        }
        return p;
    }

    /** P3 and P4 are recorded but not paged while a maintenance window is open. */
    boolean mutedInMaintenance() {
        return this == P3 || this == P4;
    }

    /** The outbox delivery priority of this incident's pages: 1 for P1 ... 4 for P4 (before every other message). */
    int delivery() {
        return ordinal() + 1;
    }
}
