package com.runbook.engine.alert;

import com.runbook.engine.core.Readiness;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;

/**
 * The Google Cloud Monitoring door: the route that reads the Pub/Sub subscription into {@link
 * AlertIntake#receiveCloudMonitoring}. Like the webhooks it takes nothing in while the engine is not ready: the route
 * does not start with Camel but at the front door's readiness point, once every route, the alert routing and the maintenance windows are in force, and it stops (Camel's graceful stop: messages in
 * hand finish) at the start of shutdown, before any of them goes down. Messages published meanwhile, or not yet
 * acknowledged, stay in the subscription, and Pub/Sub delivers them once the engine (this or another node) reads.
 */
final class CloudMonitoringIntake extends RouteBuilder {
    private static final String ROUTE_ID = "cloud-monitoring-intake";

    private final String uri;
    private final AlertIntake intake;

    private CloudMonitoringIntake(String uri, AlertIntake intake) {
        this.uri = uri;
        this.intake = intake;
    }

    /** Adds the route reading {@code uri} (a camel-google-pubsub consumer URI), started and stopped by {@code door}. */
    static void install(CamelContext context, Readiness door, String uri, AlertIntake intake) throws Exception {
        context.addRoutes(new CloudMonitoringIntake(uri, intake));
        door.whileReady(() -> {
            try {
                context.getRouteController().startRoute(ROUTE_ID);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start route " + ROUTE_ID + ": " + e.getMessage(), e);
            }
        }, () -> {
            try {
                context.getRouteController().stopRoute(ROUTE_ID);
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop route " + ROUTE_ID + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void configure() {
        // ackMode AUTO: acknowledged when this returns (after the commit), nacked (redelivered) on an exception
        from(uri).routeId(ROUTE_ID).autoStartup(false).process(e -> intake.receiveCloudMonitoring(
                e.getMessage().getBody(byte[].class), e.getMessage().getHeader("CamelGooglePubsubMessageId", String.class)));
    }
}
