package com.runbook.engine.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.notify.NotifyModule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.telegram.model.IncomingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Binds the incident service as {@code incidents}, serves the incident API ({@code GET /api/incidents},
 * {@code POST /api/incidents/{id}/ack}, {@code GET /api/windows}), acknowledges by Telegram when configured, escalates
 * unacknowledged incidents, and opens a P2 when a notification channel is dead.
 */
public final class IncidentModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentModule.class);
    /** The most incidents {@code GET /api/incidents} lists. */
    private static final int LIST_LIMIT = 500;

    private final IncidentService incidents;
    private final MaintenanceWindows windows;
    private final NotifyModule notify;
    private ScheduledExecutorService timer;

    /** Serves {@code incidents} and {@code windows}; pages about a channel {@code notify} reports dead. */
    public IncidentModule(IncidentService incidents, MaintenanceWindows windows, NotifyModule notify) {
        this.incidents = incidents;
        this.windows = windows;
        this.notify = notify;
    }

    @Override
    public void start(Parts parts) throws Exception {
        IncidentSettings settings = IncidentSettings.from(parts.settings());
        parts.camel().getRegistry().bind("incidents", incidents);
        MeterRegistry meters = parts.meters();
        incidents.onOpened(priority -> Counter.builder("runbook.incidents").description("Incidents opened, by priority")
                .tags("priority", priority.name()).register(meters).increment());
        notify.onDead((message, error) -> {
            // deduplicated by key: a page about the broken channel that dies too opens nothing new
            incidents.open("ChannelDown/" + message.channel(), Priority.P2, "Notification channel " + message.channel()
                        + " is failing", "Message " + message.id() + " (" + message.idempotencyKey()
                        + ") could not be delivered: " + error, Map.of("channel", message.channel()),
                        Set.of(message.channel()));
        });
        parts.doors().open(Door.read("api-incidents", "/api/incidents",
                r -> Reply.ok(incidents.list(bool(r.query("open")), r.query("status"), LIST_LIMIT))));
        parts.doors().open(Door.change("api-incident-ack", "/api/incidents/{id}/ack",
                r -> Reply.ok(incidents.acknowledge(id(r.path("id")), r.caller(), text(r.json().get("by"))))));
        parts.doors().open(Door.read("api-windows", "/api/windows", r -> Reply.ok(windows.windows(Instant.now()))));
        if (settings.telegramAckUri().isPresent()) {
            telegramAck(parts, settings.telegramAckUri().get(), new TelegramAck(incidents, settings.telegramAckChats()));
        }
        long every = settings.escalationCheck().toMillis();
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

    /** The route reading the bot's messages at {@code uri}; the reply to an {@code /ack} goes back to its chat. */
    private static void telegramAck(Parts parts, String uri, TelegramAck ack) throws Exception {
        parts.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("telegram-ack").process(e -> {
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

    /** {@code ?open=}: absent or empty is null (both), else true or false in any case; anything else is refused. */
    private static Boolean bool(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        if (s.strip().equalsIgnoreCase("true") || s.strip().equalsIgnoreCase("false")) {
            return Boolean.valueOf(s.strip());
        }
        throw Refused.invalid("open must be true or false (was '" + s + "')");
    }

    private static String text(JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }

    private static long id(String s) {
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
