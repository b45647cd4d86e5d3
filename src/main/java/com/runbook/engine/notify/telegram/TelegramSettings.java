package com.runbook.engine.notify.telegram;

import com.runbook.engine.settings.Settings;

/**
 * Where Telegram messages go.
 *
 * @param uri  the Camel endpoint (camel-telegram {@code telegram:bots?authorizationToken=...}, or a {@code file:} folder)
 * @param chat the chat id of a message that names none (the on-call group)
 */
public record TelegramSettings(String uri, String chat) {
    public static TelegramSettings from(Settings s) {
        return new TelegramSettings(s.text("runbook.notify.telegram.uri"), s.text("runbook.notify.telegram.chat-id"));
    }
}
