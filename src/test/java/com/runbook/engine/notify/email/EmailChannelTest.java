package com.runbook.engine.notify.email;

import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.TestEngine;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mail.MailEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class EmailChannelTest {
    @Test
    void theLocalEmailFileIsAMessageWithTheIdempotencyHeader() {
        String eml = EmailChannel.eml(Map.of("From", "a@x", "To", "b@x", "Subject", "s", Channel.IDEMPOTENCY_HEADER, "k-1",
                "Content-Type", "text/plain; charset=UTF-8"), "hello");
        assertThat(eml).isEqualTo("From: a@x\r\nTo: b@x\r\nSubject: s\r\nX-Idempotency-Key: k-1\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nhello");
    }

    @Test
    void withAnAttachmentTheLocalEmailFileIsAMultipartMessageAnyMailParserReads(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("r.csv"), "id,name\r\n1,\"O'Brien, Isla\"\r\n");
        Map<String, Object> headers = new HashMap<>(Map.of("From", "a@x", "To", "b@x", "Subject", "s",
                Channel.IDEMPOTENCY_HEADER, "k-2", "Content-Type", "text/html; charset=UTF-8",
                "Attachment-Path", csv.toString(), "Attachment-Name", "report.csv", "Attachment-Type", "text/csv; charset=UTF-8"));
        EmailChannel.Attachment attachment = EmailChannel.Attachment.take(headers);
        assertThat(headers).doesNotContainKeys("Attachment-Path", "Attachment-Name", "Attachment-Type");
        String eml = EmailChannel.eml(headers, "<p>hi</p>", attachment);

        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(eml.getBytes(StandardCharsets.UTF_8)));
        assertThat(parsed.getHeader(Channel.IDEMPOTENCY_HEADER)).containsExactly("k-2");
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
        assertThat(EmailChannel.Attachment.take(headers)).isNull();
        assertThat(EmailChannel.eml(headers, "b", null)).isEqualTo(EmailChannel.eml(headers, "b"));
    }

    @Test
    void aMessageWithoutRecipientGoesToTheDefaultFromTheSenderAsAnEmlFile() throws Exception {
        EmailChannel email = new EmailChannel(new EmailSettings("file:/tmp/mail", "engine@x", "oncall@x"));
        assertThat(email.serves("email")).isTrue();
        assertThat(email.serves("telegram")).isFalse();
        assertThat(email.grouping()).isEqualTo(Channel.Grouping.FULL_TEXT);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            String uri = email.prepare(new Outbox.Message(7, "k-7", "email", null, "Subject", "text", Map.of(), 1), exchange);
            assertThat(uri).isEqualTo("file:/tmp/mail");
            assertThat(exchange.getMessage().getHeader("To")).isEqualTo("oncall@x");
            assertThat(exchange.getMessage().getHeader(Exchange.FILE_NAME)).isEqualTo("7.eml");
            assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("From: engine@x\r\nTo: oncall@x\r\n"
                    + "Subject: Subject\r\nX-Idempotency-Key: k-7\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\ntext");
        }
    }

    @Test
    void smtpEmailsReuseOneConnectionPerSenderInsteadOfOnePerMessage() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        String uri = "smtp://127.0.0.1:" + smtp.getSmtp().getPort();
        EmailChannel email = new EmailChannel(new EmailSettings(uri, "engine@x", "oncall@x"));
        try (DefaultCamelContext camel = new DefaultCamelContext(); ProducerTemplate producer = camel.createProducerTemplate()) {
            camel.start();
            MailEndpoint endpoint = (MailEndpoint) camel.getEndpoint(uri);
            email.configure(endpoint);
            PooledMailSender sender = (PooledMailSender) endpoint.getConfiguration().getJavaMailSender();
            for (int i = 1; i <= 5; i++) {
                Exchange exchange = new DefaultExchange(camel);
                assertThat(email.prepare(new Outbox.Message(i, "k-" + i, "email", "r" + i + "@x", "Subject " + i, "text " + i, Map.of(), 1), exchange)).isEqualTo(uri);
                Exchange result = producer.send(endpoint, exchange);
                assertThat(result.getException()).isNull();
            }
            assertThat(smtp.getReceivedMessages()).hasSize(5);
            assertThat(smtp.getReceivedMessages()[4].getHeader(Channel.IDEMPOTENCY_HEADER)).containsExactly("k-5");
            assertThat(sender.opened()).as("SMTP connections opened for 5 emails sent one after the other").isEqualTo(1);
            sender.closeIdle();
        } finally {
            smtp.stop();
        }
    }
}
