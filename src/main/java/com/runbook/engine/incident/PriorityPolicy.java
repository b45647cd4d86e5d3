package com.runbook.engine.incident;

import com.runbook.engine.definition.Durations;
import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which priority an alert's labels give it and what each priority does. An alert's {@code priority=P1..P4} label
 * wins; then {@code severity}; then the default. (Between the two, the {@code alert-routing} route may set it: the
 * runbooks' alert glossary lives there.)
 */
public record PriorityPolicy(Map<String, Priority> severities, Priority fallback, Map<Priority, Rule> rules,
                             Duration repeatInterval) {
    /**
     * What one priority does.
     *
     * @param page       targets paged when an incident opens ({@code channel} or {@code channel=recipient})
     * @param ackWithin  unacknowledged for this long, the incident is escalated (null: never)
     * @param escalateTo targets paged on escalation
     */
    record Rule(List<Target> page, Duration ackWithin, List<Target> escalateTo) {
    }

    /** A channel ({@code email}, {@code telegram}, {@code pubsub:<topic>}) and an optional recipient. */
    record Target(String channel, String recipient) {
        static Target parse(String text) {
            int eq = text.indexOf('=');
            return eq < 0 ? new Target(text.trim(), null) : new Target(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
        }

        static List<Target> parseList(String text) {
            List<Target> targets = new ArrayList<>();
            for (String part : text == null ? new String[0] : text.split(",")) {
                if (!part.isBlank()) {
                    targets.add(parse(part));
                }
            }
            return targets;
        }

        @Override
        public String toString() {
            return recipient == null ? channel : channel + "=" + recipient;
        }
    }

    /** The priority for an alert's labels. */
    public Priority priorityOf(Map<String, String> labels) {
        Priority explicit = Priority.parse(labels.get("priority"));
        if (explicit != null) {
            return explicit;
        }
        Priority bySeverity = severities.get(labels.getOrDefault("severity", "").toLowerCase(Locale.ROOT));
        return bySeverity != null ? bySeverity : fallback;
    }

    Rule rule(Priority priority) {
        return rules.getOrDefault(priority, new Rule(List.of(), null, List.of()));
    }

    /** Parses {@code a:b,c:d} into a map (keys as given, values P1..P4). */
    static Map<String, Priority> pairs(String text, String what) {
        Map<String, Priority> map = new LinkedHashMap<>();
        for (String part : text == null ? new String[0] : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split(":", 2);
            Priority p = kv.length == 2 ? Priority.parse(kv[1]) : null;
            if (p == null) {
                throw new IllegalArgumentException(what + ": '" + part.trim() + "' is not name:P1..P4");
            }
            map.put(kv[0].trim(), p);
        }
        return map;
    }

    /** Reads the policy from the {@code runbook.incident.*} settings. */
    public static PriorityPolicy from(Settings settings) {
        Map<Priority, Rule> rules = new EnumMap<>(Priority.class);
        for (Priority p : Priority.values()) {
            String k = "runbook.incident." + p.name().toLowerCase(Locale.ROOT) + ".";
            Duration ack = settings.optional(k + "ack-within").map(v -> duration(k + "ack-within", v)).orElse(null);
            rules.put(p, new Rule(Target.parseList(settings.text(k + "channels")), ack,
                    Target.parseList(settings.text(k + "escalate-to"))));
        }
        Map<String, Priority> severities = new LinkedHashMap<>();
        pairs(settings.text("runbook.incident.severities"), "runbook.incident.severities")
                .forEach((k, v) -> severities.put(k.toLowerCase(Locale.ROOT), v));
        String fallback = settings.text("runbook.incident.default-priority");
        if (Priority.parse(fallback) == null) {
            throw new IllegalArgumentException("runbook.incident.default-priority must be one of P1, P2, P3, P4, not '"
                    + fallback + "'");
        }
        return new PriorityPolicy(severities, Priority.parse(fallback), rules,
                settings.duration("runbook.incident.repeat-interval"));
    }

    private static Duration duration(String key, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
