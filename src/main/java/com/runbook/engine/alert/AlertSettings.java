package com.runbook.engine.alert;

import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The alert intake's settings ({@code runbook.alert.*} in application.properties, where each is explained).
 *
 * @param sources    each webhook source's own credentials
 * @param reloadWait how long an alert waits for a reload of the runbook files in progress
 * @param pubsubUri  the Pub/Sub subscription Google Cloud Monitoring incidents are read from (empty: off)
 */
record AlertSettings(Map<String, Credentials> sources, Duration reloadWait, Optional<String> pubsubUri) {
    /**
     * @param token  the bearer token of {@code POST /webhooks/<source>} (empty: the API token)
     * @param secret the shared HMAC-SHA256 secret of signed requests (empty: signatures not accepted)
     */
    record Credentials(String token, String secret) {
    }

    static AlertSettings from(Settings s) {
        Map<String, Credentials> sources = new LinkedHashMap<>();
        for (String source : AlertIntake.SOURCES) {
            sources.put(source, new Credentials(s.text("runbook.alert." + source + ".token"),
                    s.text("runbook.alert." + source + ".hmac-secret")));
        }
        return new AlertSettings(Map.copyOf(sources), s.duration("runbook.alert.reload-wait"),
                s.optional("runbook.alert.pubsub.uri"));
    }
}
