package com.runbook.engine.observe;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.run.JobRunner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adds the runbook_* job metrics to the registry Camel serves at /metrics. */
public final class MetricsModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsModule.class);
    private final JobRunner runner;

    public MetricsModule(JobRunner runner) {
        this.runner = runner;
    }

    /**
     * The registry Camel serves at /metrics, or a private one when metrics are off (so features can always count);
     * the runbook_* meters of incidents, the outbox and the webhooks are registered here by their features.
     */
    public static MeterRegistry registry(CamelContext camel) {
        MeterRegistry registry = camel.getRegistry().findSingleByType(MeterRegistry.class);
        return registry == null ? new Unserved() : registry;
    }

    /** The registry of an engine whose metrics are off: features count in it, nothing serves it. */
    private static final class Unserved extends SimpleMeterRegistry {
    }

    @Override
    public void start(Parts parts) {
        if (parts.meters() instanceof Unserved) {
            LOG.warn("No meter registry (camel.metrics.enabled=false): job metrics are off");
            return;
        }
        runner.addListener(new JobMetrics(parts.meters(), parts.clock()));
    }
}
