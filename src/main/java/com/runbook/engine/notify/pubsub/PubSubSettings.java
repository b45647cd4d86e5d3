package com.runbook.engine.notify.pubsub;

import com.runbook.engine.settings.Settings;

/**
 * Where {@code pubsub:<topic>} messages go.
 *
 * @param uri the Camel endpoint with {@code {topic}} for the topic (camel-google-pubsub
 *            {@code google-pubsub:<project>:{topic}}, or a {@code file:} folder per topic)
 */
public record PubSubSettings(String uri) {
    public static PubSubSettings from(Settings s) {
        return new PubSubSettings(s.text("runbook.notify.pubsub.uri"));
    }
}
