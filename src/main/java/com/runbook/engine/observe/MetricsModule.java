package com.runbook.engine.observe;

import com.runbook.engine.Engine;
import com.runbook.engine.core.EngineModule;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

    /**
     * The registry Camel serves at /metrics, or a private one when metrics are off (so features can always count);
     * the runbook_* meters of incidents, the outbox and the webhooks are registered here by their features.
     */
    public static MeterRegistry registry(Engine engine) {
        MeterRegistry registry = engine.context().getRegistry().findSingleByType(MeterRegistry.class);
        return registry == null ? new SimpleMeterRegistry() : registry;
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
