package com.runbook.engine.incident;

import com.runbook.engine.Engine;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.alert.AlertIntake;
import com.runbook.engine.alert.CloudMonitoringIntake;
import com.runbook.engine.core.Refused;
import com.runbook.engine.http.Http;
import com.runbook.engine.notify.Dispatcher;
import com.runbook.engine.observe.MetricsModule;
import com.runbook.engine.definition.Runbooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.store.GroupCommit;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.telegram.model.IncomingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Binds the incident service as {@code incidents}, serves the incident API and the alert webhooks, escalates
 * unacknowledged incidents, and opens a P2 when a notification channel is dead (order 150: after notify).
 */
public class IncidentModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentModule.class);
    private ScheduledExecutorService timer;
    private AlertIntake intake;

    @Override
    public int order() {
        return 150;
    }

    @Override
    public void start(Engine engine) throws Exception {
        PriorityPolicy policy = PriorityPolicy.from(engine::property);
        for (String moved : new String[] {"runbook.alert.jobs", "runbook.incident.alertnames"}) {
            if (!engine.property(moved, "").isBlank()) {
                LOG.warn("{} is set but no longer read: which priority and runbook an alert gets is decided by the route"
                        + " {} in routes/", moved, Runbooks.ALERT_ROUTING);
            }
        }
        MaintenanceWindows windows = new MaintenanceWindows(() -> engine.runbooks().schedules());
        IncidentService incidents = new IncidentService(engine.dataSource(), engine::notifier, policy, windows,
                Clock.systemUTC());
        engine.context().getRegistry().bind("incidents", incidents);
        MeterRegistry meters = MetricsModule.registry(engine);
        incidents.onOpened(priority -> Counter.builder("runbook.incidents").description("Incidents opened, by priority")
                .tags("priority", priority).register(meters).increment());
        Dispatcher dispatcher = engine.context().getRegistry().lookupByNameAndType("notifyDispatcher", Dispatcher.class);
        if (dispatcher != null) {
            dispatcher.onDead((message, error) -> {
                // deduplicated by key: a page about the broken channel that dies too opens nothing new
                incidents.open("ChannelDown/" + message.channel(), "P2", "Notification channel " + message.channel()
                            + " is failing", "Message " + message.id() + " (" + message.idempotencyKey()
                            + ") could not be delivered: " + error, Map.of("channel", message.channel()),
                            Set.of(message.channel()));
            });
        }
        // the intake commits through the outbox's writer: its transactions and the dispatcher's "sent" marks share commits
        AlertIntake intake = new AlertIntake(engine, incidents, meters,
                engine.context().getRegistry().lookupByNameAndType("outboxWrites", GroupCommit.class));
        this.intake = intake;
        engine.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                Http.endpoint(this, "api-incidents", "GET", "/api/incidents", null, e -> incidents.list(
                        bool(Http.header(e, "open")), Http.header(e, "status"), 500));
                Http.endpoint(this, "api-incident-ack", "POST", "/api/incidents/{id}/ack", engine::apiToken,
                        e -> incidents.acknowledge(id(Http.header(e, "id")), text(Http.jsonObject(e).get("by"))));
                Http.endpoint(this, "api-windows", "GET", "/api/windows", null, e -> windows.windows(Instant.now()));
                for (String source : AlertIntake.SOURCES) {
                    Http.endpoint(this, "webhook-" + source, "POST", "/webhooks/" + source, null,
                            e -> intake.receive(source, e));
                }
            }
        });
        String monitoringUri = engine.property("runbook.alert.pubsub.uri", "");
        if (!monitoringUri.isBlank()) {
            // read only while the engine is ready, like the webhooks
            CloudMonitoringIntake.install(engine.context(), engine.door(), monitoringUri, intake);
            LOG.info("Reading Google Cloud Monitoring incidents from {}", monitoringUri.replaceAll("\\?.*", ""));
        }
        String ackUri = engine.property("runbook.incident.telegram-ack.uri", "");
        if (!ackUri.isBlank()) {
            TelegramAck ack = new TelegramAck(incidents, Set.of(engine.property("runbook.incident.telegram-ack.chats", "")
                    .split("\\s*,\\s*")));
            engine.context().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(ackUri).routeId("telegram-ack").process(e -> {
                        IncomingMessage in = e.getMessage().getBody(IncomingMessage.class);
                        String chat = e.getMessage().getHeader("CamelTelegramChatId", String.class);
                        String from = in == null || in.getFrom() == null ? null
                                : in.getFrom().getUsername() != null ? in.getFrom().getUsername() : in.getFrom().getFirstName();
                        String reply = in == null ? null : ack.handle(chat, from, in.getText());
                        if (reply != null) {
                            engine.notifier().enqueue("telegram", chat, null, reply,
                                    "telegram-ack-" + chat + "-" + in.getMessageId(), Map.of());
                        }
                    });
                }
            });
        }
        long every = Durations.parse(engine.property("runbook.incident.escalation-check", "15s")).toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runbook-escalation");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                incidents.escalateDue();
            } catch (RuntimeException e) {
                LOG.warn("Escalation check failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** {@code ?open=}: absent or empty is null (both), else true or false in any case; anything else is refused. */
    static Boolean bool(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        if (s.strip().equalsIgnoreCase("true") || s.strip().equalsIgnoreCase("false")) {
            return Boolean.valueOf(s.strip());
        }
        throw Refused.invalid("open must be true or false (was '" + s + "')");
    }

    static String text(com.fasterxml.jackson.databind.JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }

    static long id(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Refused.invalid("incident id must be a number (was '" + s + "')");
        }
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (intake != null) {
            intake.close();
        }
    }
}
