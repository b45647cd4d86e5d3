package com.runbook.engine.alert;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Webhook bodies as Alertmanager (version 4) sends them. */
public final class Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    public static Map<String, Object> alert(String status, String fingerprint, Map<String, String> labels) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("status", status);
        a.put("labels", labels);
        a.put("annotations", Map.of("summary", labels.get("alertname") + " summary", "description", "details of "
                + labels.get("alertname")));
        a.put("startsAt", "2026-11-25T10:00:00.000Z");
        a.put("endsAt", "0001-01-01T00:00:00Z");
        a.put("generatorURL", "http://prometheus:9090/graph");
        a.put("fingerprint", fingerprint);
        return a;
    }

    public static String alertmanager(List<Map<String, Object>> alerts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", "4");
        body.put("groupKey", "{}:{alertname=\"x\"}");
        body.put("truncatedAlerts", 0);
        body.put("status", alerts.get(0).get("status"));
        body.put("receiver", "runbook-engine");
        body.put("groupLabels", Map.of());
        body.put("commonLabels", Map.of());
        body.put("commonAnnotations", Map.of());
        body.put("externalURL", "http://alertmanager:9093");
        body.put("alerts", alerts);
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String alertmanager(String status, String fingerprint, Map<String, String> labels) {
        return alertmanager(List.of(alert(status, fingerprint, labels)));
    }
}
