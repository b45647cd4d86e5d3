package com.runbook.engine.notify;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotifyModuleTest {
    @Test
    void theSendTimeoutMustBePositiveAndShorterThanTheLease() {
        assertThatCode(() -> NotifySettings.checkSendTimeout(Duration.ofSeconds(15), Duration.ofMinutes(2))).doesNotThrowAnyException();
        assertThatThrownBy(() -> NotifySettings.checkSendTimeout(Duration.ofMinutes(2), Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runbook.notify.send-timeout (2m) must be more than 0 and shorter than runbook.notify.lease (2m)");
        assertThatThrownBy(() -> NotifySettings.checkSendTimeout(Duration.ZERO, Duration.ofMinutes(2)))
                .hasMessage("runbook.notify.send-timeout (0d) must be more than 0 and shorter than runbook.notify.lease (2m)");
    }
}
