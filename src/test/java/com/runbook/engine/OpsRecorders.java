package com.runbook.engine;

import com.runbook.engine.incident.IncidentRaiser;
import com.runbook.engine.notify.Notifier;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Recording stand-ins for the incident and notify services, bound by tests until the alerts feature provides them. */
public final class OpsRecorders {
    private OpsRecorders() {
    }

    public record Raised(String key, String priority, String title, String detail, Map<String, String> labels) {
    }

    public record Resolved(String key, String detail) {
    }

    public record Message(String channel, String recipient, String subject, String body, String idempotencyKey) {
    }

    public static class Incidents implements IncidentRaiser {
        public final List<Raised> raised = new CopyOnWriteArrayList<>();
        public final List<Resolved> resolved = new CopyOnWriteArrayList<>();
        private final AtomicLong ids = new AtomicLong();

        @Override
        public long raise(String key, String priority, String title, String detail, Map<String, String> labels) {
            raised.add(new Raised(key, priority, title, detail, labels));
            return ids.incrementAndGet();
        }

        @Override
        public void resolve(String key, String detail) {
            resolved.add(new Resolved(key, detail));
        }

        public void clear() {
            raised.clear();
            resolved.clear();
        }
    }

    public static class Outbox implements Notifier {
        public final List<Message> messages = new CopyOnWriteArrayList<>();
        private final AtomicLong ids = new AtomicLong();

        @Override
        public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                            Map<String, String> headers) {
            messages.add(new Message(channel, recipient, subject, body, idempotencyKey));
            return ids.incrementAndGet();
        }

        public List<Message> on(String channel) {
            return messages.stream().filter(m -> m.channel().equals(channel)).toList();
        }
    }
}
