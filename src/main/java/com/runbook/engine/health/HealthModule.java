package com.runbook.engine.health;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;

import java.util.List;

/** The health watchdog ({@code watchdog}) and the health report ({@code healthReport}) the health runbooks call. */
public final class HealthModule implements EngineModule {
    private Watchdog watchdog;

    @Override
    public void start(Parts parts) {
        watchdog = Watchdog.fromConfig(parts.settings(), parts::incidents, parts.db());
        parts.camel().getRegistry().bind("watchdog", watchdog);
        parts.camel().getRegistry().bind("healthReport", new HealthReport(watchdog, parts::notifier,
                parts.settings().optional("runbook.health.report-to").orElse(null)));
    }

    /** The watchdog (null before start). */
    public Watchdog watchdog() {
        return watchdog;
    }

    /** The endpoints the watchdog checks (none before start). */
    public List<Watchdog.Endpoint> endpoints() {
        return watchdog == null ? List.of() : watchdog.endpoints();
    }

    @Override
    public void stop() {
        if (watchdog != null) {
            watchdog.close();
        }
    }
}
