package com.runbook.engine.notify.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PubSubChannelTest {
    private final PubSubChannel pubsub = new PubSubChannel(new PubSubSettings("google-pubsub:proj:{topic}"));

    @Test
    void aTopicAddressIsPublishedAsJsonWithTheIdempotencyKeyAsAttribute() throws Exception {
        assertThat(pubsub.serves("pubsub:system-alerts")).isTrue();
        assertThat(pubsub.serves("email")).isFalse();
        assertThat(pubsub.grouping()).isEqualTo(Channel.Grouping.NONE);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            String uri = pubsub.prepare(new Outbox.Message(3, "estop-1", "pubsub:system-alerts", null, "Emergency stop",
                    "halted", Map.of("X-Run", "9"), 1), exchange);
            assertThat(uri).isEqualTo("google-pubsub:proj:system-alerts");
            assertThat(exchange.getMessage().getHeader("CamelGooglePubsubAttributes")).isEqualTo(Map.of("idempotencyKey", "estop-1"));
            JsonNode body = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
            assertThat(body.get("subject").asText()).isEqualTo("Emergency stop");
            assertThat(body.get("body").asText()).isEqualTo("halted");
            assertThat(body.get("idempotencyKey").asText()).isEqualTo("estop-1");
            assertThat(body.get("headers").get("X-Run").asText()).isEqualTo("9");
        }
    }
}
