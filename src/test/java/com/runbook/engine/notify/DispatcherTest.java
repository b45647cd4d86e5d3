package com.runbook.engine.notify;

import jakarta.mail.internet.AddressException;
import org.apache.camel.component.telegram.TelegramException;
import org.apache.camel.RuntimeCamelException;
import org.eclipse.angus.mail.util.MailConnectException;
import com.runbook.engine.notify.email.EmailChannel;
import com.runbook.engine.notify.email.EmailSettings;
import com.runbook.engine.notify.telegram.TelegramChannel;
import com.runbook.engine.notify.telegram.TelegramSettings;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class DispatcherTest {
    private static final Channel TELEGRAM = new TelegramChannel(new TelegramSettings("telegram:bots", "0"));
    private static final Channel EMAIL = new EmailChannel(new EmailSettings("smtp://localhost", "a@x", "b@x"));

    @Test
    void backoffDoublesFromTheBaseAndStopsAtTheCap() {
        Duration base = Duration.ofSeconds(2);
        Duration max = Duration.ofMinutes(5);
        assertThat(Dispatcher.backoff(1, base, max)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Dispatcher.backoff(2, base, max)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Dispatcher.backoff(5, base, max)).isEqualTo(Duration.ofSeconds(32));
        assertThat(Dispatcher.backoff(9, base, max)).isEqualTo(max);
        assertThat(Dispatcher.backoff(500, base, max)).isEqualTo(max);
    }

    @Test
    void clientErrorsAreFinalAndEverythingTransientIsRetried() {
        assertThat(Dispatcher.isPermanent(new TelegramException("bad", 400, "Bad Request"), TELEGRAM)).isTrue();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new RuntimeCamelException(
                "http://x/bot1/sendMessage responded: 403{\"ok\":false}")), TELEGRAM)).isTrue();
        assertThat(Dispatcher.isPermanent(new RuntimeCamelException("http://x/sendMessage responded: 502 bad gateway"), TELEGRAM)).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeCamelException("http://x/sendMessage responded: 429{}"), TELEGRAM)).isFalse();
        assertThat(Dispatcher.isPermanent(new TelegramException("slow", 408, "Request Timeout"), TELEGRAM)).isFalse();
        assertThat(Dispatcher.isPermanent(new MailConnectException(new org.eclipse.angus.mail.util.SocketConnectException(
                "refused", new ConnectException("Connection refused"), "h", 25, 1000)), EMAIL)).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new SocketTimeoutException("read timed out")), EMAIL)).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new AddressException("Illegal address", "not an address")), EMAIL)).isTrue();
    }

    @Test
    void aTimeoutIsTransientAndSaysHowLongItWaited() {
        Exception timeout = new TimeoutException(Dispatcher.timedOut(Duration.ofSeconds(15)));
        assertThat(Dispatcher.isPermanent(timeout, TELEGRAM)).isFalse();
        assertThat(Dispatcher.describe(timeout)).isEqualTo("TimeoutException: timed out after 15s");
        assertThat(Dispatcher.describe(new IllegalStateException("send failed", timeout)))
                .isEqualTo("IllegalStateException: send failed (cause TimeoutException: timed out after 15s)");
        assertThat(Dispatcher.timedOut(Duration.ofMillis(2500))).isEqualTo("timed out after 2500ms");
    }
}
