package com.runbook.engine.incident;

import com.runbook.engine.core.Parts;
import com.runbook.engine.notify.NotifyModule;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Refused;
import com.runbook.engine.http.Http;
import com.runbook.engine.definition.Runbooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import com.runbook.engine.definition.Durations;
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
 * Binds the incident service as {@code incidents}, serves the incident API, escalates
 * unacknowledged incidents, and opens a P2 when a notification channel is dead (order 150: after notify).
 */
public class IncidentModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentModule.class);
    private ScheduledExecutorService timer;


    private final IncidentService incidents;
    private final MaintenanceWindows windows;
    private final NotifyModule notify;

    /** Serves {@code incidents} and {@code windows}; pages about a channel {@code notify} reports dead. */
    public IncidentModule(IncidentService incidents, MaintenanceWindows windows, NotifyModule notify) {
        this.incidents = incidents;
        this.windows = windows;
        this.notify = notify;
    }

    @Override
    public void start(Parts parts) throws Exception {
        for (String moved : new String[] {"runbook.alert.jobs", "runbook.incident.alertnames"}) {
            if (!parts.settings().get(moved, "").isBlank()) {
                LOG.warn("{} is set but no longer read: which priority and runbook an alert gets is decided by the route"
                        + " {} in routes/", moved, Runbooks.ALERT_ROUTING);
            }
        }
        parts.camel().getRegistry().bind("incidents", incidents);
        MeterRegistry meters = parts.meters();
        incidents.onOpened(priority -> Counter.builder("runbook.incidents").description("Incidents opened, by priority")
                .tags("priority", priority).register(meters).increment());
        notify.onDead((message, error) -> {
            // deduplicated by key: a page about the broken channel that dies too opens nothing new
            incidents.open("ChannelDown/" + message.channel(), "P2", "Notification channel " + message.channel()
                        + " is failing", "Message " + message.id() + " (" + message.idempotencyKey()
                        + ") could not be delivered: " + error, Map.of("channel", message.channel()),
                        Set.of(message.channel()));
        });
        parts.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                Http.endpoint(this, "api-incidents", "GET", "/api/incidents", null, e -> incidents.list(
                        bool(Http.header(e, "open")), Http.header(e, "status"), 500));
                Http.endpoint(this, "api-incident-ack", "POST", "/api/incidents/{id}/ack", parts.apiToken(),
                        e -> incidents.acknowledge(id(Http.header(e, "id")), text(Http.jsonObject(e).get("by"))));
                Http.endpoint(this, "api-windows", "GET", "/api/windows", null, e -> windows.windows(Instant.now()));
            }
        });
        String ackUri = parts.settings().get("runbook.incident.telegram-ack.uri", "");
        if (!ackUri.isBlank()) {
            TelegramAck ack = new TelegramAck(incidents, Set.of(parts.settings().get("runbook.incident.telegram-ack.chats", "")
                    .split("\\s*,\\s*")));
            parts.camel().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(ackUri).routeId("telegram-ack").process(e -> {
                        IncomingMessage in = e.getMessage().getBody(IncomingMessage.class);
                        String chat = e.getMessage().getHeader("CamelTelegramChatId", String.class);
                        String from = in == null || in.getFrom() == null ? null
                                : in.getFrom().getUsername() != null ? in.getFrom().getUsername() : in.getFrom().getFirstName();
                        String reply = in == null ? null : ack.handle(chat, from, in.getText());
                        if (reply != null) {
                            parts.notifier().enqueue("telegram", chat, null, reply,
                                    "telegram-ack-" + chat + "-" + in.getMessageId(), Map.of());
                        }
                    });
                }
            });
        }
        long every = Durations.parse(parts.settings().get("runbook.incident.escalation-check", "15s")).toMillis();
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
    }
}
