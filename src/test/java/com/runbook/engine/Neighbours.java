package com.runbook.engine;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.notify.FakePubSub;
import com.runbook.engine.notify.FakeTelegram;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the real outbox delivers in a test: GreenMail SMTP, a local Telegram Bot API and an in-process Pub/Sub
 * Publisher, all on loopback, with the engine properties that point the notify channels at them (fast polling).
 */
public final class Neighbours implements AutoCloseable {
    public static final String BOT = "test-bot";
    public static final String CHAT = "-100500";
    public static final String ONCALL = "oncall@example.com";
    public final GreenMail mail;
    public final FakeTelegram telegram;
    public final FakePubSub pubsub;

    public Neighbours() throws IOException {
        mail = startSmtp(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        telegram = new FakeTelegram(BOT);
        pubsub = new FakePubSub();
    }

    /** A GreenMail SMTP server, started, on the given setup (a test that stops it may start it again on the same). */
    public static GreenMail startSmtp(ServerSetup setup) {
        GreenMail greenMail = new GreenMail(setup);
        greenMail.start();
        return greenMail;
    }

    /** A GreenMail SMTP server, started, on a free loopback port. */
    public static GreenMail startSmtp() throws IOException {
        return startSmtp(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    }

    /** The engine properties that deliver email, Telegram and Pub/Sub here. */
    public Map<String, String> engineProperties() {
        Map<String, String> p = new HashMap<>(pubsub.engineProperties());
        p.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + mail.getSmtp().getPort());
        p.put("runbook.notify.email.to", ONCALL);
        p.put("runbook.notify.telegram.uri", "telegram:bots?authorizationToken=" + BOT + "&baseUri=" + telegram.baseUri());
        p.put("runbook.notify.telegram.chat-id", CHAT);
        p.put("runbook.notify.poll", "100ms");
        return p;
    }

    /** The received emails whose subject starts with the prefix. */
    public List<MimeMessage> mails(String subjectPrefix) {
        return Arrays.stream(mail.getReceivedMessages()).filter(m -> subject(m).startsWith(subjectPrefix)).toList();
    }

    /** The text of a plain-text email. */
    public static String text(MimeMessage m) {
        try {
            return m.getContent().toString();
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The engine properties that deliver here, with the test's own on top. */
    public Map<String, String> engineProperties(Map<String, String> extra) {
        Map<String, String> p = engineProperties();
        p.putAll(extra);
        return p;
    }

    /** Forgets what was delivered so far. */
    public void reset() throws Exception {
        mail.purgeEmailFromAllMailboxes();
        telegram.sent.clear();
        pubsub.published.clear();
    }

    @Override
    public void close() {
        mail.stop();
        telegram.close();
        pubsub.close();
    }
}
