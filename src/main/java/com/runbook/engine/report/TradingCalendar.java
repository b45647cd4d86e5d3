package com.runbook.engine.report;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Trading days in the exchange's time zone (America/New_York): weekdays that are not on the holiday list. A day's
 * session closes at {@code close} local time; its trades are those executed in [local midnight, next midnight).
 */
public final class TradingCalendar {
    private final ZoneId zone;
    private final LocalTime close;
    private final Set<LocalDate> holidays;

    public TradingCalendar(ZoneId zone, LocalTime close, Set<LocalDate> holidays) {
        this.zone = zone;
        this.close = close;
        this.holidays = Set.copyOf(holidays);
    }

    /**
     * Parses a comma-separated list of ISO dates ({@code 2026-12-25,2027-01-01}); blanks are ignored. Every bad
     * entry is reported in one message.
     */
    public static Set<LocalDate> parseHolidays(String list) {
        Set<LocalDate> days = new TreeSet<>();
        List<String> bad = new ArrayList<>();
        for (String part : list == null ? new String[0] : list.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                days.add(LocalDate.parse(s));
            } catch (DateTimeParseException e) {
                bad.add("'" + s + "'");
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("runbook.trading.holidays: not a date (yyyy-MM-dd): " + String.join(", ", bad));
        }
        return days;
    }

    public ZoneId zone() {
        return zone;
    }

    public boolean isTradingDay(LocalDate day) {
        DayOfWeek d = day.getDayOfWeek();
        return d != DayOfWeek.SATURDAY && d != DayOfWeek.SUNDAY && !holidays.contains(day);
    }

    /** The latest trading day whose session had closed at {@code now}: the day the 16:30 run reports on. */
    public LocalDate lastClosedTradingDay(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        LocalDate day = local.toLocalDate();
        if (local.toLocalTime().isBefore(close)) {
            day = day.minusDays(1);
        }
        while (!isTradingDay(day)) {
            day = day.minusDays(1);
        }
        return day;
    }

    /** First instant of {@code day} in the exchange zone (midnight local, whatever the UTC offset that day). */
    public Instant startOf(LocalDate day) {
        return day.atStartOfDay(zone).toInstant();
    }

    /** First instant after {@code day} in the exchange zone. */
    public Instant endOf(LocalDate day) {
        return day.plusDays(1).atStartOfDay(zone).toInstant();
    }
}
