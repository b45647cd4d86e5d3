package com.runbook.engine.report;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradingCalendarTest {
    private static final ZoneId NY = ZoneId.of("America/New_York");
    private final TradingCalendar calendar = new TradingCalendar(NY, LocalTime.of(16, 0),
            Set.of(LocalDate.parse("2026-11-26"), LocalDate.parse("2026-12-25")));

    @Test
    void afterTheCloseTheDayItselfBeforeItThePreviousTradingDay() {
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-24T21:30:00Z"))).isEqualTo("2026-11-24"); // Tue 16:30 EST
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-24T20:59:59Z"))).isEqualTo("2026-11-23"); // Tue 15:59:59
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-24T21:00:00Z"))).isEqualTo("2026-11-24"); // exactly 16:00
    }

    @Test
    void weekendsAndHolidaysAreSkipped() {
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-30T14:00:00Z"))).isEqualTo("2026-11-27"); // Mon morning -> Fri
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-28T18:00:00Z"))).isEqualTo("2026-11-27"); // Saturday
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-26T21:30:00Z"))).isEqualTo("2026-11-25"); // Thanksgiving
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-12-28T15:00:00Z"))).isEqualTo("2026-12-24"); // Mon before close, Fri 25th holiday
        assertThat(calendar.isTradingDay(LocalDate.parse("2026-11-26"))).isFalse();
        assertThat(calendar.isTradingDay(LocalDate.parse("2026-11-29"))).isFalse();
        assertThat(calendar.isTradingDay(LocalDate.parse("2026-11-27"))).isTrue();
    }

    @Test
    void theCloseIsLocalTimeAcrossDaylightSavingChanges() {
        // 2026-03-09 is the Monday after DST starts (EDT, UTC-4): 16:00 local = 20:00 UTC
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-03-09T20:00:00Z"))).isEqualTo("2026-03-09");
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-03-09T19:59:59Z"))).isEqualTo("2026-03-06");
        // the Friday before, still EST (UTC-5): 16:00 local = 21:00 UTC
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-03-06T20:30:00Z"))).isEqualTo("2026-03-05");
        // 2026-11-02 is the Monday after DST ends (EST again): 20:30 UTC is 15:30 local, before the close
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-02T20:30:00Z"))).isEqualTo("2026-10-30");
        assertThat(calendar.lastClosedTradingDay(Instant.parse("2026-11-02T21:00:00Z"))).isEqualTo("2026-11-02");
    }

    @Test
    void aDayIsLocalMidnightToMidnightEvenWhenItHas23Or25Hours() {
        assertThat(calendar.startOf(LocalDate.parse("2026-03-09"))).isEqualTo("2026-03-09T04:00:00Z");
        assertThat(calendar.endOf(LocalDate.parse("2026-11-30"))).isEqualTo("2026-12-01T05:00:00Z");
        LocalDate springForward = LocalDate.parse("2026-03-08");
        LocalDate fallBack = LocalDate.parse("2026-11-01");
        assertThat(Duration.between(calendar.startOf(springForward), calendar.endOf(springForward))).hasHours(23);
        assertThat(Duration.between(calendar.startOf(fallBack), calendar.endOf(fallBack))).hasHours(25);
    }

    @Test
    void holidayListsAreParsedAndEveryBadEntryIsReported() {
        assertThat(TradingCalendar.parseHolidays(" 2026-12-25, ,2027-01-01")).containsExactly(
                LocalDate.parse("2026-12-25"), LocalDate.parse("2027-01-01"));
        assertThat(TradingCalendar.parseHolidays("")).isEmpty();
        assertThatThrownBy(() -> TradingCalendar.parseHolidays("2026-12-25,25/12/2026,2026-13-01"))
                .hasMessage("runbook.trading.holidays: not a date (yyyy-MM-dd): '25/12/2026', '2026-13-01'");
    }
}
