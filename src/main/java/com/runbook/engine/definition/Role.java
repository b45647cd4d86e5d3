package com.runbook.engine.definition;

import java.util.Locale;
import java.util.Optional;

/**
 * Who may do what, from least to most: a viewer reads; an operator also runs jobs, rehearses, acknowledges and retries
 * pages; an admin also runs the guarded runbooks and manages tokens. A runbook may require more than operator to run
 * ({@code - access: {run: admin}} beside its route).
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** The role as written in files, the API and the database: {@code viewer}, {@code operator}, {@code admin}. */
    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this role may do what {@code needed} may. */
    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role written {@code text} (any case, trimmed), or empty for another word. */
    public static Optional<Role> parse(String text) {
        if (text != null) {
            for (Role role : values()) {
                if (role.stored().equals(text.strip().toLowerCase(Locale.ROOT))) {
                    return Optional.of(role);
                }
            }
        }
        return Optional.empty();
    }
}
