package com.runbook.engine.notify.pubsub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google Pub/Sub through camel-google-pubsub (or a folder per topic): a message addressed {@code pubsub:<topic>} is
 * published to that topic as JSON (subject, body, idempotencyKey, headers), with the idempotency key as an attribute.
 */
public final class PubSubChannel implements Channel {
    private static final String PREFIX = "pubsub:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PubSubSettings settings;

    public PubSubChannel(PubSubSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public String addressForm() {
        return PREFIX + "<topic>";
    }

    @Override
    public boolean serves(String address) {
        return address.startsWith(PREFIX);
    }

    @Override
    public String prepare(Outbox.Message m, Exchange exchange) throws JsonProcessingException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("subject", m.subject());
        payload.put("body", m.body());
        payload.put("idempotencyKey", m.idempotencyKey());
        payload.put("headers", m.headers());
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put("CamelGooglePubsubAttributes", Map.of("idempotencyKey", m.idempotencyKey()));
        headers.put(Exchange.FILE_NAME, m.id() + ".json");
        exchange.getMessage().setHeaders(headers);
        exchange.getMessage().setBody(JSON.writeValueAsString(payload));
        return uri(m.channel());
    }

    /** The endpoint of {@code pubsub:<topic>}: the configured URI with the topic in place of {@code {topic}}. */
    String uri(String address) {
        return settings.uri().replace("{topic}", address.substring(PREFIX.length()));
    }
}
