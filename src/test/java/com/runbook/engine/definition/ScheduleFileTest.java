package com.runbook.engine.definition;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleFileTest {

    @Test
    void parsesEveryFieldWithDefaults() {
        ScheduleFile f = ScheduleFile.parse(Path.of("x.yaml"), "schedules/x.yaml", """
                job: daily-pnl
                cron: "0 30 16 ? * MON-FRI"
                zone: America/New_York
                """);
        assertThat(f.problems()).isEmpty();
        Schedule s = f.schedules().get(0);
        assertThat(s.job()).isEqualTo("daily-pnl");
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(s.enabled()).isTrue();
        assertThat(s.misfire()).isEqualTo("fire-once-now");
        assertThat(s.overlap()).isEqualTo("skip");
        assertThat(s.timeout()).isNull();
    }

    @Test
    void aFileMayHoldAListOfSchedules() {
        ScheduleFile f = ScheduleFile.parse(Path.of("x.yaml"), "schedules/x.yaml", """
                - job: a
                  every: 15s
                - job: b
                  cron: "0 0 2 * * ?"
                  enabled: false
                  window: 2h
                """);
        assertThat(f.problems()).isEmpty();
        assertThat(f.schedules()).extracting(Schedule::job).containsExactly("a", "b");
        assertThat(f.schedules().get(0).every()).isEqualTo(Duration.ofSeconds(15));
        assertThat(f.schedules().get(1).window()).isEqualTo(Duration.ofHours(2));
        assertThat(f.schedules().get(1).enabled()).isFalse();
    }

    @Test
    void cronAndEveryTogetherIsAnError() {
        ScheduleFile f = ScheduleFile.parse(Path.of("x.yaml"), "schedules/x.yaml", "job: a\ncron: \"0 0 2 * * ?\"\nevery: 5m\n");
        assertThat(f.problems()).extracting(Object::toString)
                .containsExactly("schedules/x.yaml:1:1: schedule for 'a' needs exactly one of 'cron' or 'every'");
    }

    @Test
    void nextFireFollowsTheZone() {
        Schedule s = ScheduleFile.parse(Path.of("x.yaml"), "x", "job: a\ncron: \"0 30 16 ? * MON-FRI\"\nzone: America/New_York\n")
                .schedules().get(0);
        // Friday 2026-11-27 12:00 UTC -> same day 16:30 EST = 21:30 UTC
        assertThat(s.nextFireAfter(Instant.parse("2026-11-27T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-27T21:30:00Z"));
        // after that, the weekend is skipped: Monday 2026-11-30 21:30 UTC
        assertThat(s.nextFireAfter(Instant.parse("2026-11-27T21:30:00Z"))).isEqualTo(Instant.parse("2026-11-30T21:30:00Z"));
    }

    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessage("invalid duration '0s': must be greater than zero");
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessage("invalid duration 'soon' (use e.g. 500ms, 15s, 5m, 2h, 1d)");
    }
}
