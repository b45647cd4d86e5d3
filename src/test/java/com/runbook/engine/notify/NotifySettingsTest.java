package com.runbook.engine.notify;

import com.runbook.engine.notify.email.EmailSettings;
import com.runbook.engine.notify.pubsub.PubSubSettings;
import com.runbook.engine.notify.telegram.TelegramSettings;
import com.runbook.engine.settings.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Every notify setting has its default in application.properties, and the records read them typed. */
class NotifySettingsTest {
    @Test
    void theShippedDefaultsAreRead() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("classpath:application.properties");
            camel.getPropertiesComponent().addOverrideProperty("runbook.data-dir", "/var/rb");
            Settings settings = Settings.of(camel);
            assertThat(NotifySettings.from(settings)).isEqualTo(new NotifySettings(10, Duration.ofSeconds(2),
                    Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMinutes(2), 50, 4, Duration.ofSeconds(15), 10));
            assertThat(EmailSettings.from(settings)).isEqualTo(new EmailSettings("file:/var/rb/outbox/email",
                    "runbook-engine@localhost", "oncall@localhost"));
            assertThat(TelegramSettings.from(settings)).isEqualTo(new TelegramSettings("file:/var/rb/outbox/telegram", "0"));
            assertThat(PubSubSettings.from(settings)).isEqualTo(new PubSubSettings("file:/var/rb/outbox/pubsub/{topic}"));
        }
    }
}
