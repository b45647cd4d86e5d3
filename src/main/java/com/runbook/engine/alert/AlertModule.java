package com.runbook.engine.alert;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.incident.IncidentService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The doors alerts come in by: the webhooks ({@code POST /webhooks/alertmanager}, {@code /webhooks/grafana}, ...)
 * and, when {@code runbook.alert.pubsub.uri} is set, Google Cloud Monitoring incidents on Pub/Sub.
 */
public final class AlertModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(AlertModule.class);
    private final IncidentService incidents;

    public AlertModule(IncidentService incidents) {
        this.incidents = incidents;
    }

    @Override
    public void start(Parts parts) throws Exception {
        AlertSettings settings = AlertSettings.from(parts.settings());
        LabelLookup.install(parts.camel());   // before the runbooks load: alert-routing's predicates resolve it once
        // the intake commits through the shared writer: its transactions and the dispatcher's "sent" marks share commits
        AlertIntake intake = new AlertIntake(parts, incidents, settings);
        for (String source : AlertIntake.SOURCES) {
            // open to anyone who reaches the engine: each source checks its own credentials (token or signature)
            parts.doors().open(new Door("webhook-" + source, Door.Method.POST, "/webhooks/" + source,
                    Door.Access.OPEN, request -> intake.receive(source, request)));
        }
        if (settings.pubsubUri().isPresent()) {
            String uri = settings.pubsubUri().get();
            // read only while the engine is ready, like the webhooks
            CloudMonitoringIntake.install(parts.camel(), parts.readiness(), uri, intake);
            LOG.info("Reading Google Cloud Monitoring incidents from {}", uri.replaceAll("\\?.*", ""));
        }
    }
}
