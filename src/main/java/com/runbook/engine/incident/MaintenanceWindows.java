package com.runbook.engine.incident;

import com.runbook.engine.definition.Schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Maintenance windows from {@code schedules/}: a cron schedule with {@code window: <duration>} opens a window at
 * each fire lasting that long. Computed from the schedules in force, so every node agrees without shared state.
 */
public final class MaintenanceWindows {
    /** One window of a job; {@code open} when now is inside it. */
    record Window(String job, Instant start, Instant end, boolean open) {
    }

    private static final long RECHECK_MS = 1000;
    private final Supplier<List<Schedule>> schedules;
    private volatile long checkedAtMs;
    private volatile Optional<Window> lastOpen = Optional.empty();

    public MaintenanceWindows(Supplier<List<Schedule>> schedules) {
        this.schedules = schedules;
    }

    /** For each schedule with a window: the window open at {@code now} (if any) and the next one. */
    List<Window> windows(Instant now) {
        List<Window> windows = new ArrayList<>();
        for (Schedule s : schedules.get()) {
            if (s.window() == null || s.cron() == null || !s.enabled()) {
                continue;
            }
            current(s, now).ifPresent(windows::add);
            Instant next = s.nextFireAfter(now);
            if (next != null) {
                windows.add(new Window(s.job(), next, next.plus(s.window()), false));
            }
        }
        return windows;
    }

    /** The open window of {@code s} at {@code now}: the earliest fire in (now - window, now]. */
    static Optional<Window> current(Schedule s, Instant now) {
        Instant fire = s.nextFireAfter(now.minus(s.window()));
        if (fire == null || fire.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new Window(s.job(), fire, fire.plus(s.window()), true));
    }

    /** A window open at {@code now}, if any. */
    Optional<Window> openAt(Instant now) {
        return windows(now).stream().filter(Window::open).findFirst();
    }

    /**
     * Like {@link #openAt(Instant)} for the present, recomputed at most once a second (every incident asks, and
     * the schedules in force are behind a lock the reloader holds).
     */
    Optional<Window> openNow() {
        long nowMs = System.currentTimeMillis();
        if (nowMs - checkedAtMs >= RECHECK_MS || nowMs < checkedAtMs) {
            lastOpen = openAt(Instant.ofEpochMilli(nowMs));
            checkedAtMs = nowMs;
        }
        return lastOpen.filter(w -> w.end().toEpochMilli() > nowMs);
    }
}
