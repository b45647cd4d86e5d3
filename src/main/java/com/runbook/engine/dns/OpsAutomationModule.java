package com.runbook.engine.dns;

import com.runbook.engine.Engine;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.health.HealthReport;
import com.runbook.engine.health.Watchdog;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.trading.TradingApi;
import com.runbook.engine.trading.TradingControl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The incident automations of issue 7: binds {@code dnsFailover}, {@code watchdog},
 * {@code healthReport} and {@code trading}, and adds their endpoints. Settings are read once
 * at start; a missing or invalid one leaves the beans bound but refusing with every problem listed.
 */
public class OpsAutomationModule implements EngineModule {
    private Watchdog watchdog;

    @Override
    public void stop() {
        if (watchdog != null) {
            watchdog.close();
        }
    }

    @Override
    public int order() {
        return 300;
    }

    @Override
    public void start(Engine engine) throws Exception {
        Function<String, String> property = key -> engine.property(key, null);
        DnsConfig config = DnsConfig.from(property);
        List<String> problems = new ArrayList<>();
        DnsProvider provider = DnsProviders.create(config.provider(), property, problems);
        DnsFailover failover = new DnsFailover(config.withProblems(problems), provider,
                new DnsChangeStore(engine.dataSource()), engine::incidents, engine::notifier);
        engine.context().getRegistry().bind("dnsFailover", failover);
        Watchdog watchdog = Watchdog.fromConfig(property, engine::incidents, engine.dataSource());
        this.watchdog = watchdog;
        engine.runner().skipWhenIdle("health-watchdog", watchdog::hasWork);
        engine.context().getRegistry().bind("watchdog", watchdog);
        engine.context().getRegistry().bind("healthReport", new HealthReport(watchdog, engine::notifier,
                engine.property("runbook.health.report-to", null)));
        engine.context().getRegistry().bind("tradingControl", new TradingControl(engine.property("runbook.trading.stop-url", null),
                engine.property("runbook.trading.resume-url", null), engine.property("runbook.trading.api-token", null),
                engine.property("runbook.trading.alert-topic", "system-alerts"),
                Durations.parse(engine.property("runbook.trading.timeout", "10s")), engine.dataSource(), engine::incidents,
                engine::notifier));
        engine.context().addRoutes(new TradingApi(engine::runner, engine::runs, engine::apiToken));
        engine.context().addRoutes(new DnsApi(
                () -> engine.context().getRegistry().lookupByNameAndType("dnsFailover", DnsFailover.class), engine::apiToken));
    }
}
