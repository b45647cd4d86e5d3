package com.runbook.engine.report;

import com.runbook.engine.core.Parts;
import com.runbook.engine.backup.ObjectStore;
import com.runbook.engine.core.Notifier;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.function.Supplier;

/** What the report beans share: the engine's parts (notifier, data folder), the settings, the trading database, the calendar. */
record Reports(Parts parts, ReportSettings settings, DataSource trading, TradingCalendar calendar, Clock clock,
               Supplier<ObjectStore> store) {

    Notifier notifier() {
        return parts.notifier();
    }

    /** Who gets the report emails, or null for the email channel's default recipient. */
    String emailTo() {
        return settings.emailTo().orElse(null);
    }

    /** The chat of the daily summary, or null for the Telegram channel's default chat. */
    String telegramChat() {
        return settings.telegramChat().orElse(null);
    }

    /** First 16 hex digits of the SHA-256 of {@code text}: the same content gets the same idempotency key. */
    static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
