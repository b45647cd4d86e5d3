package com.runbook.engine.notify.email;

import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.DefaultJavaMailSender;
import org.apache.camel.component.mail.JavaMailSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * camel-mail's sender with its SMTP connections kept open between messages. camel-mail opens a connection per
 * message (TCP, greeting, EHLO, STARTTLS and AUTH when configured, then QUIT): that was most of a message's time, and
 * capped the outbox near 80 emails a second on a local server. Here each send takes an idle connection (or opens
 * one), sends the message on it (MAIL, RCPT, DATA) and puts it back; a connection is used by one send at a time, so
 * there are at most as many as sends run in parallel (the dispatcher's sender threads). A connection idle for longer
 * than {@link #CHECK_AFTER_MS} is checked first (NOOP) and replaced when the server closed it; one idle longer than
 * {@link #IDLE_MS} is closed. A connection whose send failed is closed, never reused: the failure goes to the
 * dispatcher as before (retried with its backoff), so a message is never sent again by this class.
 */
final class PooledMailSender extends DefaultJavaMailSender {
    private static final Logger LOG = LoggerFactory.getLogger(PooledMailSender.class);
    /** Idle this long, a connection is checked (NOOP) before it carries a message. */
    static final long CHECK_AFTER_MS = 2_000;
    /** Idle this long, a connection is closed instead of reused (servers drop idle clients after a few minutes). */
    static final long IDLE_MS = 60_000;

    private record Idle(Transport transport, long since) {
    }

    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger opened = new AtomicInteger();

    /** A sender with the configuration camel-mail built for the endpoint (host, port, credentials, session). */
    PooledMailSender(JavaMailSender configured) {
        setHost(configured.getHost());
        setPort(configured.getPort());
        setUsername(configured.getUsername());
        setPassword(configured.getPassword());
        setProtocol(configured.getProtocol());
        setAuthenticator(configured.getAuthenticator());
        setJavaMailProperties(configured.getJavaMailProperties());
        setSession(configured.getSession());
    }

    @Override
    public void send(MimeMessage message) throws MessagingException {
        Transport transport = take();
        boolean sent = false;
        try {
            if (message.getSentDate() == null) {
                message.setSentDate(new Date());
            }
            String messageId = message.getMessageID();
            message.saveChanges();
            if (messageId != null) {
                message.setHeader("Message-ID", messageId);   // as camel-mail: saveChanges would replace it
            }
            transport.sendMessage(message, message.getAllRecipients());
            sent = true;
        } finally {
            if (sent) {
                idle.addFirst(new Idle(transport, System.currentTimeMillis()));
            } else {
                close(transport);
            }
        }
    }

    /** The most recently used idle connection that still works, or a new one. */
    private Transport take() throws MessagingException {
        for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
            long idleFor = System.currentTimeMillis() - i.since();
            if (idleFor < CHECK_AFTER_MS || idleFor < IDLE_MS && i.transport().isConnected()) {
                return i.transport();
            }
            close(i.transport());
        }
        Transport transport = getTransport(getSession());
        PasswordAuthentication auth = getPasswordAuthentication();
        transport.connect(getHost(), getPort(), auth.getUserName(), auth.getPassword());
        opened.incrementAndGet();
        return transport;
    }

    /** How many connections this sender opened so far. */
    int opened() {
        return opened.get();
    }

    /** Closes the idle connections (those in use are closed when their send ends, if it fails, or at the next close). */
    void closeIdle() {
        for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
            close(i.transport());
        }
    }

    private void close(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("Closing an SMTP connection to {} failed (ignored)", getHost(), e);
        }
    }
}
