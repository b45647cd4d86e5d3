package com.runbook.engine.incident;

import com.runbook.engine.definition.Schedule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MaintenanceWindowsTest {
    /** Sunday 02:00 UTC, two hours, as the seed runbook's maintenance window. */
    private static final Schedule SUNDAY = new Schedule("sunday-maintenance", "0 0 2 ? * SUN", null, ZoneId.of("UTC"),
            true, "fire-once-now", "skip", null, Duration.ofHours(2), "schedules/sunday-maintenance.yaml", 1);
    private final MaintenanceWindows windows = new MaintenanceWindows(() -> List.of(SUNDAY));

    @Test
    void insideTheWindowItIsOpenWithItsStartAndEndAndTheNextOneFollows() {
        Instant now = Instant.parse("2026-11-29T03:15:00Z");   // a Sunday
        List<MaintenanceWindows.Window> w = windows.windows(now);
        assertThat(w).containsExactly(
                new MaintenanceWindows.Window("sunday-maintenance", Instant.parse("2026-11-29T02:00:00Z"),
                        Instant.parse("2026-11-29T04:00:00Z"), true),
                new MaintenanceWindows.Window("sunday-maintenance", Instant.parse("2026-12-06T02:00:00Z"),
                        Instant.parse("2026-12-06T04:00:00Z"), false));
        assertThat(windows.openAt(now)).isPresent();
    }

    @Test
    void atTheEndAndBeforeTheStartItIsClosed() {
        assertThat(windows.openAt(Instant.parse("2026-11-29T04:00:00Z"))).isEmpty();
        assertThat(windows.openAt(Instant.parse("2026-11-29T01:59:59Z"))).isEmpty();
        assertThat(windows.openAt(Instant.parse("2026-11-29T02:00:00Z"))).isPresent();
    }

    @Test
    void schedulesWithoutAWindowOrDisabledHaveNone() {
        Schedule plain = new Schedule("daily-pnl", "0 30 16 ? * MON-FRI", null, ZoneId.of("America/New_York"), true,
                "fire-once-now", "skip", null, null, "f", 1);
        Schedule disabled = new Schedule("x", "0 0 2 ? * SUN", null, ZoneId.of("UTC"), false, "skip", "skip", null,
                Duration.ofHours(2), "f", 1);
        assertThat(new MaintenanceWindows(() -> List.of(plain, disabled)).windows(Instant.now())).isEmpty();
    }
}
