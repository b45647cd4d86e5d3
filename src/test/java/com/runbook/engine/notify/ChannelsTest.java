package com.runbook.engine.notify;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The set of channels answers which one serves an address; an address none serves is refused, naming the forms. */
class ChannelsTest {
    private final Channels channels = OutboxPriorityTest.channels("file:/tmp/mail", Path.of("/tmp"));

    @Test
    void eachAddressGoesToTheChannelServingIt() {
        assertThat(channels.of("email").name()).isEqualTo("email");
        assertThat(channels.of("telegram").name()).isEqualTo("telegram");
        assertThat(channels.of("pubsub:system-alerts").name()).isEqualTo("pubsub");
        assertThat(channels.grouping("pubsub:incident-notifications")).isEqualTo(Channel.Grouping.NONE);
    }

    @Test
    void anAddressNoChannelServesIsRefused() {
        assertThatThrownBy(() -> channels.of("sms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown channel 'sms' (use email, telegram or pubsub:<topic>)");
        assertThatThrownBy(() -> channels.of(null)).hasMessage("unknown channel 'null' (use email, telegram or pubsub:<topic>)");
    }
}
