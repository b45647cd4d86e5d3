package com.runbook.engine.notify.telegram;

import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TelegramChannelTest {
    private final TelegramChannel telegram = new TelegramChannel(new TelegramSettings("telegram:bots?authorizationToken=t", "1001"));

    @Test
    void theSubjectAndTextGoToTheNamedChatOrTheDefaultOneOneAtATime() throws Exception {
        assertThat(telegram.serves("telegram")).isTrue();
        assertThat(telegram.oneAtATime()).isTrue();
        assertThat(telegram.grouping()).isEqualTo(Channel.Grouping.SUBJECT_LINES);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange named = new DefaultExchange(camel);
            assertThat(telegram.prepare(new Outbox.Message(1, "k", "telegram", "42", "[P1] down", "details", Map.of(), 1), named))
                    .isEqualTo("telegram:bots?authorizationToken=t");
            assertThat(named.getMessage().getHeader("CamelTelegramChatId")).isEqualTo("42");
            assertThat(named.getMessage().getBody()).isEqualTo("[P1] down\n\ndetails");
            Exchange byDefault = new DefaultExchange(camel);
            telegram.prepare(new Outbox.Message(2, "k2", "telegram", " ", null, "reply", Map.of(), 1), byDefault);
            assertThat(byDefault.getMessage().getHeader("CamelTelegramChatId")).isEqualTo("1001");
            assertThat(byDefault.getMessage().getBody()).as("no subject: the text alone").isEqualTo("reply");
        }
    }
}
