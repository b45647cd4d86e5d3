package com.runbook.engine.incident;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Which priority an alert's labels give it and what each priority does. An alert's {@code priority=P1..P4} label
 * wins; then {@code severity}; then the default. (Between the two, the {@code alert-routing} route may set it: the
 * runbooks' alert glossary lives there.)
 */
public record PriorityPolicy(Map<String, String> severities, String fallback,
                             Map<String, Rule> rules, Duration repeatInterval) {
    public static final List<String> PRIORITIES = List.of("P1", "P2", "P3", "P4");

    /**
     * What one priority does.
     *
     * @param page       targets paged when an incident opens ({@code channel} or {@code channel=recipient})
     * @param ackWithin  unacknowledged for this long, the incident is escalated (null: never)
     * @param escalateTo targets paged on escalation
     */
    public record Rule(List<Target> page, Duration ackWithin, List<Target> escalateTo) {
    }

    /** A channel ({@code email}, {@code telegram}, {@code pubsub:<topic>}) and an optional recipient. */
    public record Target(String channel, String recipient) {
        public static Target parse(String text) {
            int eq = text.indexOf('=');
            return eq < 0 ? new Target(text.trim(), null) : new Target(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
        }

        public static List<Target> parseList(String text) {
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
    public String priorityOf(Map<String, String> labels) {
        String explicit = normalise(labels.get("priority"));
        if (explicit != null) {
            return explicit;
        }
        String bySeverity = severities.get(labels.getOrDefault("severity", "").toLowerCase(Locale.ROOT));
        return bySeverity != null ? bySeverity : fallback;
    }

    /** {@code P1}..{@code P4} (any case), else null. */
    public static String normalise(String priority) {
        if (priority == null) {
            return null;
        }
        String p = priority.trim().toUpperCase(Locale.ROOT);
        return PRIORITIES.contains(p) ? p : null;
    }

    public Rule rule(String priority) {
        return rules.getOrDefault(priority, new Rule(List.of(), null, List.of()));
    }

    /** Parses {@code a:b,c:d} into a map (keys as given, values normalised to P1..P4). */
    static Map<String, String> pairs(String text, String what) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String part : text == null ? new String[0] : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split(":", 2);
            String p = kv.length == 2 ? normalise(kv[1]) : null;
            if (p == null) {
                throw new IllegalArgumentException(what + ": '" + part.trim() + "' is not name:P1..P4");
            }
            map.put(kv[0].trim(), p);
        }
        return map;
    }

    /** Reads the policy from settings: {@code property(key, default)}. */
    public static PriorityPolicy from(BiFunction<String, String, String> property) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (String p : PRIORITIES) {
            String k = "runbook.incident." + p.toLowerCase(Locale.ROOT) + ".";
            String ack = property.apply(k + "ack-within", "");
            rules.put(p, new Rule(Target.parseList(property.apply(k + "channels", "")),
                    ack.isBlank() ? null : com.runbook.engine.definition.Durations.parse(ack),
                    Target.parseList(property.apply(k + "escalate-to", ""))));
        }
        Map<String, String> severities = new LinkedHashMap<>();
        pairs(property.apply("runbook.incident.severities", "critical:P1,error:P2,major:P2,warning:P3,info:P4"),
                "runbook.incident.severities").forEach((k, v) -> severities.put(k.toLowerCase(Locale.ROOT), v));
        String fallback = normalise(property.apply("runbook.incident.default-priority", "P3"));
        return new PriorityPolicy(severities, fallback == null ? "P3" : fallback, rules,
                com.runbook.engine.definition.Durations.parse(property.apply("runbook.incident.repeat-interval", "4h")));
    }
}
