package com.runbook.engine.backup;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.TestEngine;
import jakarta.mail.internet.MimeMessage;

import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/** GreenMail, a real SMTP server on a loopback port, where the engine's outbox delivers the reports under test. */
final class MailCatcher implements AutoCloseable {
    private final GreenMail greenMail;
    private final int port;

    MailCatcher() throws Exception {
        port = TestEngine.freePort();
        greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
    }

    /** The value of runbook.notify.email.uri that sends here. */
    String uri() {
        return "smtp://127.0.0.1:" + port + "?connectionTimeout=2000";
    }

    /** Waits for the message with exactly this subject. */
    MimeMessage message(String subject) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (MimeMessage m : greenMail.getReceivedMessages()) {
                if (m.getSubject().equals(subject)) {
                    return Optional.of(m);
                }
            }
            return Optional.<MimeMessage>empty();
        }, Optional::isPresent).orElseThrow();
    }

    /** The decoded text body of the message with this subject, with plain newlines. */
    String body(String subject) {
        return GreenMailUtil.getBody(message(subject)).replace("=\r\n", "").replace("\r\n", "\n").replace("=3D", "=");
    }

    /** How many messages arrived so far. */
    int count() {
        return greenMail.getReceivedMessages().length;
    }

    /** The subjects of the messages that arrived so far. */
    java.util.List<String> subjects() throws jakarta.mail.MessagingException {
        java.util.List<String> subjects = new java.util.ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            subjects.add(m.getSubject());
        }
        return subjects;
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
