package com.runbook.engine.alert;

import com.runbook.engine.text.Json;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.core.Refused;
import com.runbook.engine.incident.Priority;
import com.runbook.engine.incident.PriorityPolicy;
import com.runbook.engine.text.Text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns webhook bodies into {@link AlertEvent}s: Alertmanager (version 4), Grafana unified alerting (the same
 * {@code alerts[]} shape) and the generic shape. Validation collects every problem, in one message listing them all;
 * a problem of the body refuses it whole, a problem of one alert in a batch refuses that alert alone ({@link Parsed}). Values are stored as {@link Text} allows: a NUL escaped, a value
 * longer than its limit cut and marked, so that one over-long alert never fails the batch it came in.
 */
final class AlertParser {
    private static final int MAX_ALERTS = 1000;
    /** 9999-12-31T23:59:59Z: the last Unix second a time may be. */
    private static final long LAST_SECOND = 253_402_300_799L;
    /** The source name of Google Cloud Monitoring incidents read from Pub/Sub. */
    static final String CLOUD_MONITORING = "cloud-monitoring";
    private final PriorityPolicy policy;

    AlertParser(PriorityPolicy policy) {
        this.policy = policy;
    }

    /**
     * The alerts of a body, and the problems of those refused one by one. A body that is no JSON object, or has a
     * problem outside its alerts, is refused as a whole; so is one whose every alert has a problem. In a batch
     * (Alertmanager, Grafana) an alert with a problem is refused alone: the others are stored (Alertmanager would
     * drop the whole group on a refusal, with the valid alerts in it).
     */
    record Parsed(List<AlertEvent> events, List<String> refused) {
    }

    /** The body's alerts, all valid, or refused as a whole with every problem (see {@link #read}). */
    List<AlertEvent> parse(String source, byte[] body) {
        Parsed parsed = read(source, body);
        if (!parsed.refused().isEmpty()) {
            throw Refused.invalid(String.join("; ", parsed.refused()));
        }
        return parsed.events();
    }

    /** The body's valid alerts and the problems of the alerts refused alone (see {@link Parsed}). */
    Parsed read(String source, byte[] body) {
        JsonNode root = Json.object(body);
        List<String> errors = new ArrayList<>();
        List<String> alone = new ArrayList<>();
        List<AlertEvent> events = source.equals("generic") ? generic(root, errors)
                : source.equals(CLOUD_MONITORING) ? cloudMonitoring(root, errors) : batch(source, root, errors, alone);
        if (!errors.isEmpty() || events.isEmpty() && !alone.isEmpty()) {
            errors.addAll(alone);
            throw Refused.invalid(String.join("; ", errors));
        }
        return new Parsed(events, alone);
    }

    /** {@code errors}: problems of the body; {@code alone}: problems of single alerts. */
    private List<AlertEvent> batch(String source, JsonNode root, List<String> errors, List<String> alone) {
        List<AlertEvent> events = new ArrayList<>();
        JsonNode version = root.get("version");
        if (source.equals("alertmanager") && version != null && !"4".equals(version.asText())) {
            errors.add("version: unsupported '" + version.asText() + "' (Alertmanager webhook version 4 expected)");
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || alerts.isNull()) {
            errors.add("alerts: required (an array of alerts)");
            return events;
        }
        if (!alerts.isArray()) {
            errors.add("alerts: must be an array");
            return events;
        }
        if (alerts.isEmpty()) {
            errors.add("alerts: must not be empty");
        }
        if (alerts.size() > MAX_ALERTS) {
            errors.add("alerts: at most " + MAX_ALERTS + " per request (was " + alerts.size() + ")");
            return events;
        }
        for (int i = 0; i < alerts.size(); i++) {
            String at = "alerts[" + i + "]";
            JsonNode a = alerts.get(i);
            if (!a.isObject()) {
                alone.add(at + ": must be an object");
                continue;
            }
            int before = alone.size();
            String status = text(a, "status", at, alone);
            if (status != null && !status.equals("firing") && !status.equals("resolved")) {
                alone.add(at + ".status: must be firing or resolved (was '" + status + "')");
            } else if (status == null && !a.has("status")) {
                alone.add(at + ".status: required (firing or resolved)");
            }
            Map<String, String> labels = strings(a.get("labels"), at + ".labels", true, alone);
            Map<String, String> annotations = strings(a.get("annotations"), at + ".annotations", false, alone);
            String alertname = labels.get("alertname");
            if (a.has("labels") && a.get("labels").isObject() && (alertname == null || alertname.isBlank())) {
                alone.add(at + ".labels.alertname: required");
            }
            String fingerprint = text(a, "fingerprint", at, alone);
            OffsetDateTime startsAt = time(a, "startsAt", at, alone);
            OffsetDateTime endsAt = time(a, "endsAt", at, alone);
            if (labels.containsKey("priority") && Priority.parse(labels.get("priority")) == null) {
                alone.add(at + ".labels.priority: must be one of P1, P2, P3, P4 (was '" + labels.get("priority") + "')");
            }
            if (alone.size() > before) {
                continue;
            }
            events.add(event(source, fingerprint == null || fingerprint.isBlank() ? hash(labels) : fingerprint,
                    status, labels, annotations, startsAt, endsAt));
        }
        return events;
    }

    /** {@code {"title": "...", "status": "firing", "priority": "P2", "severity": "...", "key": "...", "detail": "...", "labels": {}}}. */
    private List<AlertEvent> generic(JsonNode root, List<String> errors) {
        String title = text(root, "title", "", errors);
        if (title == null || title.isBlank()) {
            errors.add("title: required");
        }
        String status = text(root, "status", "", errors);
        if (status != null && !status.equals("firing") && !status.equals("resolved")) {
            errors.add("status: must be firing or resolved (was '" + status + "')");
        }
        String priority = text(root, "priority", "", errors);
        if (priority != null && Priority.parse(priority) == null) {
            errors.add("priority: must be one of P1, P2, P3, P4 (was '" + priority + "')");
        }
        String severity = text(root, "severity", "", errors);
        String key = text(root, "key", "", errors);
        String detail = text(root, "detail", "", errors);
        Map<String, String> labels = strings(root.get("labels"), "labels", false, errors);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("title", "status", "priority", "severity", "key", "detail", "labels").contains(f)) {
                errors.add(f + ": unknown field (known: title, status, priority, severity, key, detail, labels)");
            }
        }
        if (!errors.isEmpty()) {
            return List.of();
        }
        labels.putIfAbsent("alertname", title.replaceAll("[^A-Za-z0-9_-]+", "_"));
        if (priority != null) {
            labels.put("priority", Priority.parse(priority).name());
        }
        if (severity != null) {
            labels.put("severity", severity);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", title);
        if (detail != null) {
            annotations.put("description", detail);
        }
        return List.of(event("generic", key == null || key.isBlank() ? hash(labels) : key,
                status == null ? "firing" : status, labels, annotations, null, null));
    }

    /**
     * A Google Cloud Monitoring notification ({@code {"incident": {...}, "version": "1.2"}}): the incident id is the
     * fingerprint, {@code open} fires and {@code closed} resolves, the policy name is the alert name, the policy's
     * user labels and the resource labels become labels, and {@code severity} (Critical, Error, Warning) maps through
     * the priority policy like any severity.
     */
    private List<AlertEvent> cloudMonitoring(JsonNode root, List<String> errors) {
        JsonNode incident = root.get("incident");
        if (incident == null || !incident.isObject()) {
            errors.add("incident: required (an object)");
            return List.of();
        }
        String at = "incident";
        String id = text(incident, "incident_id", at, errors);
        if (id == null || id.isBlank()) {
            errors.add("incident.incident_id: required");
        }
        String policyName = text(incident, "policy_name", at, errors);
        if (policyName == null || policyName.isBlank()) {
            errors.add("incident.policy_name: required");
        }
        String state = text(incident, "state", at, errors);
        if (state == null || !(state.equalsIgnoreCase("open") || state.equalsIgnoreCase("closed"))) {
            errors.add("incident.state: must be open or closed (was " + (state == null ? "missing" : "'" + state + "'") + ")");
        }
        String condition = text(incident, "condition_name", at, errors);
        String severity = text(incident, "severity", at, errors);
        String summary = text(incident, "summary", at, errors);
        String url = text(incident, "url", at, errors);
        String resource = text(incident, "resource_display_name", at, errors);
        JsonNode res = incident.get("resource");
        Map<String, String> resourceLabels = strings(res == null || !res.isObject() ? null : res.get("labels"),
                "incident.resource.labels", false, errors);
        Map<String, String> userLabels = strings(incident.get("policy_user_labels"), "incident.policy_user_labels",
                false, errors);
        OffsetDateTime startsAt = epoch(incident, "started_at", errors);
        OffsetDateTime endsAt = epoch(incident, "ended_at", errors);
        if (!errors.isEmpty()) {
            return List.of();
        }
        Map<String, String> labels = new LinkedHashMap<>(resourceLabels);
        labels.putAll(userLabels);
        labels.put("alertname", policyName);
        if (condition != null) {
            labels.put("condition", condition);
        }
        if (severity != null && !severity.isBlank() && !severity.equalsIgnoreCase("no severity")) {
            labels.put("severity", severity.toLowerCase(java.util.Locale.ROOT));
        }
        if (labels.containsKey("priority") && Priority.parse(labels.get("priority")) == null) {
            labels.remove("priority");   // a free-form user label, not ours: the severity decides
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", policyName + (condition == null ? "" : ": " + condition)
                + (resource == null || resource.isBlank() ? "" : " on " + resource));
        annotations.put("description", first(summary, "") + (url == null ? "" : "\n" + url));
        if (url != null) {
            annotations.put("url", url);
        }
        return List.of(event(CLOUD_MONITORING, id, state.equalsIgnoreCase("open") ? "firing" : "resolved", labels,
                annotations, startsAt, endsAt));
    }

    private static OffsetDateTime epoch(JsonNode node, String field, List<String> errors) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || (v.isNumber() && v.asLong() == 0)) {
            return null;
        }
        if (!v.canConvertToLong() || v.asLong() < 0 || v.asLong() > LAST_SECOND) {
            errors.add("incident." + field + ": must be Unix seconds (was " + v + ")");
            return null;
        }
        return OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(v.asLong()), java.time.ZoneOffset.UTC);
    }

    private AlertEvent event(String source, String fingerprint, String status, Map<String, String> labels,
                             Map<String, String> annotations, OffsetDateTime startsAt, OffsetDateTime endsAt) {
        String alertname = labels.get("alertname");
        String title = first(annotations.get("summary"), annotations.get("title"),
                alertname + (labels.containsKey("instance") ? " on " + labels.get("instance") : ""));
        String detail = first(annotations.get("description"), annotations.get("message"), "");
        Map<String, String> storedLabels = Text.clean(labels);
        storedLabels.put("alertname", Text.clean(alertname, Text.ALERTNAME));   // always kept, whatever was dropped
        return new AlertEvent(source, Text.clean(fingerprint, Text.FINGERPRINT), status,
                Text.clean(alertname, Text.ALERTNAME), policy.priorityOf(labels), Text.clean(title, Text.TITLE),
                Text.clean(detail, Text.DETAIL), storedLabels, Text.clean(annotations), startsAt, endsAt);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }

    /** A stable fingerprint when the sender gives none: SHA-256 over the labels sorted by name (16 hex digits). */
    static String hash(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append('\u0000').append(v).append('\u0001'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    private static String text(JsonNode node, String field, String at, List<String> errors) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(prefix(at) + field + ": must be a string");
            return null;
        }
        return v.asText();
    }

    private static String prefix(String at) {
        return at.isEmpty() ? "" : at + ".";
    }

    private static Map<String, String> strings(JsonNode node, String at, boolean required, List<String> errors) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(at + ": required (an object of strings)");
            }
            return map;
        }
        if (!node.isObject()) {
            errors.add(at + ": must be an object of strings");
            return map;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                map.put(e.getKey(), e.getValue().asText());
            } else {
                errors.add(at + "." + e.getKey() + ": must be a string");
            }
        });
        return map;
    }

    private static OffsetDateTime time(JsonNode node, String field, String at, List<String> errors) {
        String text = text(node, field, at, errors);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(text);
            // Alertmanager sends 0001-01-01 for "no end yet"; past 9999 is no time a database column takes
            return t.getYear() < 1970 || t.getYear() > 9999 ? null : t;
        } catch (DateTimeParseException e) {
            errors.add(at + "." + field + ": not an RFC 3339 time (was '" + text + "')");
            return null;
        }
    }
}
