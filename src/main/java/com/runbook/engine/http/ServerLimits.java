package com.runbook.engine.http;

import com.runbook.engine.settings.Settings;

import java.time.Duration;

/**
 * What slow or idle clients may hold ({@code runbook.http.*} in application.properties, where the defaults are).
 *
 * @param headerTimeout  from accepting a connection until its first request's headers are complete, and from the
 *                       first byte of each later request on it until that request's headers are complete
 * @param idleTimeout    a connection with no byte read or written for this long is closed (a stalled body, an idle
 *                       keep-alive connection)
 * @param maxConnections open connections at most; one more is closed at once
 * @param maxBodySize    the largest request body in bytes ({@code camel.server.maxBodySize}); a larger one gets 413
 */
record ServerLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections, long maxBodySize) {

    /** Reads the limits from the engine's settings. */
    static ServerLimits from(Settings settings) {
        String key = "runbook.http.max-connections";
        String text = settings.text(key);
        int max;
        try {
            max = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            max = 0;
        }
        if (max < 1) {
            throw new IllegalArgumentException(key + ": must be a whole number of at least 1, not '" + text + "'");
        }
        return new ServerLimits(settings.duration("runbook.http.header-timeout"),
                settings.duration("runbook.http.idle-timeout"), max,
                Long.parseLong(settings.text("camel.server.maxBodySize").trim()));
    }
}
