package com.runbook.engine.observe;

import com.runbook.engine.Engine;
import com.runbook.engine.EngineModule;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** Adds the runbook_* job metrics to the registry Camel serves at /metrics. */
public class MetricsModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsModule.class);

    @Override
    public int order() {
        return 50;
    }

    @Override
    public void start(Engine engine) {
        MeterRegistry registry = engine.context().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            LOG.warn("No meter registry (camel.metrics.enabled=false): job metrics are off");
            return;
        }
        engine.runner().addListener(new JobMetrics(registry, Clock.systemUTC()));
    }
}
