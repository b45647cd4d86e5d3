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

/** What the report beans share: the engine (notifier, settings, data folder), the trading database, the calendar. */
record Reports(Parts parts, DataSource trading, TradingCalendar calendar, Clock clock,
               java.util.function.Supplier<ObjectStore> store) {

    Notifier notifier() {
        Notifier n = parts.notifier();
        if (n == null) {
            throw new IllegalStateException("no notifier bound: the notify module (outbox) is not installed");
        }
        return n;
    }

    /** A configured recipient, or null for the channel's default. */
    String recipient(String key) {
        String value = parts.settings().get(key, "");
        return value.isBlank() ? null : value.trim();
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
