package com.runbook.engine.notify.telegram;

import com.runbook.engine.notify.Channel;
import com.runbook.engine.notify.Outbox;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Telegram through camel-telegram (or a folder of .txt files): the subject and the text in one chat message. One
 * send at a time: camel-telegram's producer is not safe for concurrent sends (seen: ConcurrentModificationException
 * and messages to the wrong chat, its handler builds each request in a shared field), and the Bot API rate-limits
 * anyway.
 */
public final class TelegramChannel implements Channel {
    private static final Pattern STATUS = Pattern.compile("responded: (\\d{3})");
    private final TelegramSettings settings;

    public TelegramChannel(TelegramSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "telegram";
    }

    @Override
    public String title() {
        return "Telegram";
    }

    @Override
    public Grouping grouping() {
        return Grouping.SUBJECT_LINES;
    }

    @Override
    public boolean oneAtATime() {
        return true;
    }

    /** camel-telegram reports a refused request as "... responded: 400{...}". */
    @Override
    public int httpStatus(Throwable failure) {
        Matcher m = failure.getMessage() == null ? null : STATUS.matcher(failure.getMessage());
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    @Override
    public String prepare(Outbox.Message m, Exchange exchange) {
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put("CamelTelegramChatId", m.recipient() == null || m.recipient().isBlank() ? settings.chat() : m.recipient());
        headers.put(Exchange.FILE_NAME, m.id() + ".txt");
        exchange.getMessage().setHeaders(headers);
        exchange.getMessage().setBody(text(m));
        return settings.uri();
    }

    /** The chat message: the subject, a blank line and the text; the text alone when there is no subject. */
    static String text(Outbox.Message m) {
        return m.subject() == null || m.subject().isBlank() ? m.body() : m.subject() + "\n\n" + m.body();
    }
}
