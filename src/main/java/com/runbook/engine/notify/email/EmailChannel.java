package com.runbook.engine.notify.email;

import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import jakarta.activation.DataHandler;
import jakarta.mail.internet.AddressException;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.JavaMailSender;
import org.apache.camel.component.mail.MailConfiguration;
import org.apache.camel.component.mail.MailEndpoint;
import org.apache.camel.attachment.AttachmentMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Email through camel-mail, or into a folder of .eml files (one per message, {@code <id>.eml}) when the URI is a
 * {@code file:} endpoint. Carries the idempotency key as the {@value Channel#IDEMPOTENCY_HEADER} header; a message
 * may name an attachment (headers {@code Attachment-Path}, {@code Attachment-Name}, {@code Attachment-Type}).
 */
public final class EmailChannel implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger(EmailChannel.class);
    private final EmailSettings settings;

    public EmailChannel(EmailSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Grouping grouping() {
        return Grouping.FULL_TEXT;
    }

    /** An invalid address is final; so is an SMTP 5xx rejection of the address or the message (a 4xx is not). */
    @Override
    public Optional<Boolean> permanent(Throwable failure) {
        if (failure instanceof AddressException) {
            return Optional.of(true);
        }
        if (failure instanceof SMTPAddressFailedException failed) {
            return Optional.of(failed.getReturnCode() >= 500);
        }
        if (failure instanceof SMTPSendFailedException failed) {
            return Optional.of(failed.getReturnCode() >= 500);
        }
        return Optional.empty();
    }

    /**
     * An SMTP endpoint sends through a {@link PooledMailSender}: its connections stay open between messages instead
     * of one connection per message, camel-mail's way (the sender is built from the endpoint's own configuration, as
     * camel-mail builds its default one). An endpoint given its own {@code javaMailSender} keeps it.
     */
    @Override
    public void configure(Endpoint endpoint) {
        if (endpoint instanceof MailEndpoint mail && mail.getConfiguration().getJavaMailSender() == null) {
            try {
                // protected in camel-mail: the same sender its producer would make (host, port, credentials, session,
                // timeouts, TLS properties)
                Method create = MailConfiguration.class.getDeclaredMethod("createJavaMailSender", CamelContext.class);
                create.setAccessible(true);
                JavaMailSender configured = (JavaMailSender) create.invoke(mail.getConfiguration(), mail.getCamelContext());
                mail.getConfiguration().setJavaMailSender(new PooledMailSender(configured));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("Email: SMTP connections not pooled (one per message, camel-mail's default): {}", e.toString());
            }
        }
    }

    @Override
    public String prepare(Outbox.Message m, Exchange exchange) throws IOException {
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        String to = m.recipient() == null || m.recipient().isBlank() ? settings.to() : m.recipient();
        headers.put("To", to);
        headers.put("From", settings.from());
        headers.put("Subject", m.subject());
        headers.put(IDEMPOTENCY_HEADER, m.idempotencyKey());
        headers.put("Content-Type", m.headers().getOrDefault("Content-Type", "text/plain; charset=UTF-8"));
        Attachment attachment = Attachment.take(headers);
        Object body;
        if (settings.uri().startsWith("file:")) {
            body = eml(headers, m.body(), attachment);
        } else {
            body = m.body();
            if (attachment != null) {
                exchange.getMessage(AttachmentMessage.class).addAttachment(attachment.name(), attachment.dataHandler());
            }
        }
        headers.put(Exchange.FILE_NAME, m.id() + ".eml");
        exchange.getMessage().setHeaders(headers);
        exchange.getMessage().setBody(body);
        return settings.uri();
    }

    /**
     * An email attachment named by the message headers {@code Attachment-Path} (a file readable by the dispatcher),
     * {@code Attachment-Name} (default: the file's name) and {@code Attachment-Type} (default application/octet-stream).
     */
    record Attachment(Path path, String name, String type) {
        static final String PATH = "Attachment-Path";
        static final String NAME = "Attachment-Name";
        static final String TYPE = "Attachment-Type";

        /** Removes the three headers (they are not mail headers) and returns the attachment they name, or null. */
        static Attachment take(Map<String, Object> headers) {
            Object path = headers.remove(PATH);
            Object name = headers.remove(NAME);
            Object type = headers.remove(TYPE);
            if (path == null || path.toString().isBlank()) {
                return null;
            }
            Path file = Path.of(path.toString());
            return new Attachment(file, name == null ? file.getFileName().toString() : name.toString(),
                    type == null ? "application/octet-stream" : type.toString());
        }

        /** The file's content; a missing file fails the attempt (retried, then dead) rather than mailing without it. */
        DataHandler dataHandler() throws IOException {
            ByteArrayDataSource source = new ByteArrayDataSource(Files.readAllBytes(path), type);
            source.setName(name);
            return new DataHandler(source);
        }
    }

    /** The message as an RFC 5322 text, for the local email folder (opens in any mail client). */
    static String eml(Map<String, Object> headers, String body) {
        StringBuilder sb = new StringBuilder();
        for (String h : List.of("From", "To", "Subject", IDEMPOTENCY_HEADER, "Content-Type")) {
            sb.append(h).append(": ").append(headers.get(h)).append("\r\n");
        }
        return sb.append("\r\n").append(body == null ? "" : body).toString();
    }

    /** As {@link #eml(Map, String)}; with an attachment, a multipart/mixed message of the text and the file (base64). */
    static String eml(Map<String, Object> headers, String body, Attachment attachment) throws IOException {
        if (attachment == null) {
            return eml(headers, body);
        }
        String boundary = "=_runbook_" + Long.toHexString(System.nanoTime());
        String file = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(Files.readAllBytes(attachment.path()));
        Map<String, Object> outer = new LinkedHashMap<>(headers);
        outer.put("Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"");
        return "MIME-Version: 1.0\r\n" + eml(outer, "--" + boundary + "\r\nContent-Type: " + headers.get("Content-Type")
                + "\r\n\r\n" + (body == null ? "" : body) + "\r\n--" + boundary + "\r\nContent-Type: " + attachment.type()
                + "\r\nContent-Disposition: attachment; filename=\"" + attachment.name()
                + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + file + "\r\n--" + boundary + "--\r\n");
    }
}
