package com.runbook.engine.http;

import com.runbook.engine.definition.Durations;

import java.time.Duration;
import java.util.function.Function;

/**
 * What slow or idle clients may hold (application.properties, runbook.http.*).
 *
 * @param headerTimeout  from accepting a connection until its first request's headers are complete, and from the
 *                       first byte of each later request on it until that request's headers are complete
 * @param idleTimeout    a connection with no byte read or written for this long is closed (a stalled body, an idle
 *                       keep-alive connection)
 * @param maxConnections open connections at most; one more is closed at once
 */
public record ServerLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections) {

    /** Reads the limits with {@code property} (key to value, null when unset), defaults for what is unset. */
    public static ServerLimits read(Function<String, String> property) {
        return new ServerLimits(duration(property, "runbook.http.header-timeout", "10s"),
                duration(property, "runbook.http.idle-timeout", "60s"),
                count(property, "runbook.http.max-connections", "1000"));
    }

    private static Duration duration(Function<String, String> property, String key, String dflt) {
        String text = value(property, key, dflt);
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static int count(Function<String, String> property, String key, String dflt) {
        String text = value(property, key, dflt);
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new IllegalArgumentException(key + ": must be a whole number of at least 1, not '" + text + "'");
    }

    private static String value(Function<String, String> property, String key, String dflt) {
        String v = property.apply(key);
        return v == null || v.isBlank() ? dflt : v;
    }
}
