package com.runbook.engine.alert;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.http.Http;
import com.runbook.engine.incident.IncidentService;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The doors alerts come in by: the webhooks ({@code POST /webhooks/alertmanager}, {@code /webhooks/grafana}, ...)
 * and, when {@code runbook.alert.pubsub.uri} is set, Google Cloud Monitoring incidents on Pub/Sub.
 */
public final class AlertModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(AlertModule.class);
    private final IncidentService incidents;
    private AlertIntake intake;

    public AlertModule(IncidentService incidents) {
        this.incidents = incidents;
    }

    @Override
    public void start(Parts parts) throws Exception {
        // the intake commits through the shared writer: its transactions and the dispatcher's "sent" marks share commits
        AlertIntake intake = new AlertIntake(parts, incidents);
        this.intake = intake;
        parts.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String source : AlertIntake.SOURCES) {
                    Http.endpoint(this, "webhook-" + source, "POST", "/webhooks/" + source, null,
                            e -> intake.receive(source, e));
                }
            }
        });
        String monitoringUri = parts.settings().get("runbook.alert.pubsub.uri", "");
        if (!monitoringUri.isBlank()) {
            // read only while the engine is ready, like the webhooks
            CloudMonitoringIntake.install(parts.camel(), parts.readiness(), monitoringUri, intake);
            LOG.info("Reading Google Cloud Monitoring incidents from {}", monitoringUri.replaceAll("\\?.*", ""));
        }
    }

    @Override
    public void stop() {
        if (intake != null) {
            intake.close();
        }
    }
}
