package com.runbook.engine.notify;

import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.camel.component.telegram.TelegramException;
import org.apache.camel.RuntimeCamelException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class DispatcherTest {
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
        assertThat(Dispatcher.isPermanent(new TelegramException("bad", 400, "Bad Request"))).isTrue();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new RuntimeCamelException(
                "http://x/bot1/sendMessage responded: 403{\"ok\":false}")))).isTrue();
        assertThat(Dispatcher.isPermanent(new RuntimeCamelException("http://x/sendMessage responded: 502 bad gateway"))).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeCamelException("http://x/sendMessage responded: 429{}"))).isFalse();
        assertThat(Dispatcher.isPermanent(new TelegramException("slow", 408, "Request Timeout"))).isFalse();
        assertThat(Dispatcher.isPermanent(new MailConnectException(new org.eclipse.angus.mail.util.SocketConnectException(
                "refused", new ConnectException("Connection refused"), "h", 25, 1000)))).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new SocketTimeoutException("read timed out")))).isFalse();
        assertThat(Dispatcher.isPermanent(new RuntimeException(new AddressException("Illegal address", "not an address")))).isTrue();
    }

    @Test
    void aTimeoutIsTransientAndSaysHowLongItWaited() {
        Exception timeout = new TimeoutException(Dispatcher.timedOut(Duration.ofSeconds(15)));
        assertThat(Dispatcher.isPermanent(timeout)).isFalse();
        assertThat(Dispatcher.describe(timeout)).isEqualTo("TimeoutException: timed out after 15s");
        assertThat(Dispatcher.describe(new IllegalStateException("send failed", timeout)))
                .isEqualTo("IllegalStateException: send failed (cause TimeoutException: timed out after 15s)");
        assertThat(Dispatcher.timedOut(Duration.ofMillis(2500))).isEqualTo("timed out after 2500ms");
    }

    @Test
    void theLocalEmailFileIsAMessageWithTheIdempotencyHeader() {
        String eml = Dispatcher.eml(Map.of("From", "a@x", "To", "b@x", "Subject", "s", Dispatcher.IDEMPOTENCY_HEADER, "k-1",
                "Content-Type", "text/plain; charset=UTF-8"), "hello");
        assertThat(eml).isEqualTo("From: a@x\r\nTo: b@x\r\nSubject: s\r\nX-Idempotency-Key: k-1\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nhello");
    }

    @Test
    void withAnAttachmentTheLocalEmailFileIsAMultipartMessageAnyMailParserReads(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("r.csv"), "id,name\r\n1,\"O'Brien, Isla\"\r\n");
        Map<String, Object> headers = new HashMap<>(Map.of("From", "a@x", "To", "b@x", "Subject", "s",
                Dispatcher.IDEMPOTENCY_HEADER, "k-2", "Content-Type", "text/html; charset=UTF-8",
                "Attachment-Path", csv.toString(), "Attachment-Name", "report.csv", "Attachment-Type", "text/csv; charset=UTF-8"));
        Dispatcher.Attachment attachment = Dispatcher.Attachment.take(headers);
        assertThat(headers).doesNotContainKeys("Attachment-Path", "Attachment-Name", "Attachment-Type");
        String eml = Dispatcher.eml(headers, "<p>hi</p>", attachment);

        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(eml.getBytes(StandardCharsets.UTF_8)));
        assertThat(parsed.getHeader(Dispatcher.IDEMPOTENCY_HEADER)).containsExactly("k-2");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(parts.getBodyPart(0).getContent()).isEqualTo("<p>hi</p>");
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("report.csv");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo(Files.readAllBytes(csv));
    }

    @Test
    void withoutAttachmentHeadersThereIsNoAttachment() throws Exception {
        Map<String, Object> headers = new HashMap<>(Map.of("Subject", "s"));
        assertThat(Dispatcher.Attachment.take(headers)).isNull();
        assertThat(Dispatcher.eml(headers, "b", null)).isEqualTo(Dispatcher.eml(headers, "b"));
    }
}
