package com.runbook.engine.trading;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.run.JobRunner;
import com.runbook.engine.run.RunStore;

/** The trading control ({@code tradingControl}) the trading runbooks call, and the emergency stop and resume doors. */
public final class TradingModule implements EngineModule {
    private final JobRunner runner;
    private final RunStore runs;

    public TradingModule(JobRunner runner, RunStore runs) {
        this.runner = runner;
        this.runs = runs;
    }

    @Override
    public void start(Parts parts) throws Exception {
        parts.camel().getRegistry().bind("tradingControl", new TradingControl(parts.settings().get("runbook.trading.stop-url", null),
                parts.settings().get("runbook.trading.resume-url", null), parts.settings().get("runbook.trading.api-token", null),
                parts.settings().get("runbook.trading.alert-topic", "system-alerts"),
                Durations.parse(parts.settings().get("runbook.trading.timeout", "10s")), parts.db(), parts::incidents,
                parts::notifier));
        parts.camel().addRoutes(new TradingApi(() -> runner, () -> runs, parts.apiToken()));
    }
}
