package com.runbook.engine.report;

import com.runbook.engine.settings.Settings;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;

/**
 * The trading database and the reports ({@code runbook.trading.db.*}, {@code runbook.trading.*} of the exchange,
 * {@code runbook.reports.*}).
 *
 * @param url          JDBC URL of the trading database
 * @param user         its user
 * @param password     its password
 * @param poolSize     connections in its pool
 * @param migrate      whether its schema migrations are applied at start
 * @param demo         whether demo data is seeded into it when empty
 * @param zone         the exchange's time zone
 * @param close        the exchange's session close, local time
 * @param holidays     the exchange's holidays
 * @param emailTo      who gets the report emails (empty: the email channel's default recipient)
 * @param telegramChat the chat of the daily summary (empty: the Telegram channel's default chat)
 * @param templatesDir the report templates (empty: routes/templates beside the running routes)
 */
record ReportSettings(String url, String user, String password, int poolSize, boolean migrate, Demo demo, ZoneId zone,
                      LocalTime close, Set<LocalDate> holidays, Optional<String> emailTo, Optional<String> telegramChat,
                      Optional<Path> templatesDir) {

    /** When demo data is seeded. */
    enum Demo {
        TRUE, FALSE,
        /** Only when the trading database is the embedded H2. */
        AUTO;

        static Demo parse(String value) {
            for (Demo d : values()) {
                if (d.name().equalsIgnoreCase(value.trim())) {
                    return d;
                }
            }
            throw new IllegalArgumentException("runbook.trading.demo must be true, false or auto, not '" + value + "'");
        }
    }

    static ReportSettings from(Settings s) {
        return new ReportSettings(s.text("runbook.trading.db.url"), s.text("runbook.trading.db.user"),
                s.text("runbook.trading.db.password"), s.integer("runbook.trading.db.pool-size"),
                s.flag("runbook.trading.migrate"), Demo.parse(s.text("runbook.trading.demo")),
                ZoneId.of(s.text("runbook.trading.zone").trim()), LocalTime.parse(s.text("runbook.trading.close").trim()),
                TradingCalendar.parseHolidays(s.text("runbook.trading.holidays")), s.optional("runbook.reports.email-to"),
                s.optional("runbook.reports.telegram-chat"), s.optional("runbook.reports.templates-dir").map(Path::of));
    }

    /** Whether demo data goes into an empty trading database. */
    boolean seedDemo() {
        return demo == Demo.TRUE || (demo == Demo.AUTO && url.startsWith("jdbc:h2:"));
    }
}
