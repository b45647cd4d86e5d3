package com.runbook.engine.schedule;

import com.runbook.engine.definition.Schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** Which fire the RAM store counts as missed while the engine was down. */
class DowntimeTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Schedule DAILY = new Schedule("daily", "0 0 2 * * ?", null, UTC, true, "fire-once-now", "skip",
            null, null, "schedules/daily.yaml", 1);
    private static final Schedule EVERY = new Schedule("watchdog", null, Duration.ofSeconds(15), UTC, true, "skip",
            "skip", null, null, "schedules/watchdog.yaml", 1);

    private static Instant at(String s) {
        return Instant.parse(s);
    }

    @Test
    void aCronFireBetweenTheLastRunAndNowWasMissed() {
        assertThat(Downtime.firstMissed(DAILY, at("2026-03-01T01:00:00Z"), at("2026-03-01T02:00:00Z"),
                at("2026-03-03T12:00:00Z"))).isEqualTo(at("2026-03-02T02:00:00Z"));
    }

    @Test
    void aCronJobThatNeverRanCountsFromTheLastCheckIn() {
        assertThat(Downtime.firstMissed(DAILY, at("2026-03-01T12:00:00Z"), null, at("2026-03-02T12:00:00Z")))
                .isEqualTo(at("2026-03-02T02:00:00Z"));
        assertThat(Downtime.firstMissed(DAILY, at("2026-03-01T12:00:00Z"), null, at("2026-03-02T01:00:00Z"))).isNull();
    }

    @Test
    void nothingIsMissedWhenTheNextDueTimeIsStillAhead() {
        assertThat(Downtime.firstMissed(DAILY, at("2026-03-02T01:59:00Z"), at("2026-03-01T02:00:00Z"),
                at("2026-03-02T01:59:30Z"))).isNull();
    }

    @Test
    void anEveryScheduleCountsFromItsLastRunOnly() {
        assertThat(Downtime.firstMissed(EVERY, at("2026-03-01T12:00:00Z"), at("2026-03-01T11:59:50Z"),
                at("2026-03-01T12:01:00Z"))).isEqualTo(at("2026-03-01T12:00:05Z"));
        assertThat(Downtime.firstMissed(EVERY, at("2026-03-01T12:00:00Z"), null, at("2026-03-01T12:01:00Z"))).isNull();
    }

    @Test
    void noCheckInAndNoRunMeansAFirstStart() {
        assertThat(Downtime.firstMissed(DAILY, null, null, at("2026-03-02T12:00:00Z"))).isNull();
    }
}
