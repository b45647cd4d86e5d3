package com.runbook.engine.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.runbook.engine.Engine;
import com.runbook.engine.api.Http;
import com.runbook.engine.incident.IncidentService;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook side: authenticates, parses, commits every alert event of the request in one transaction (before
 * answering 2xx), then turns each into an incident open/update/resolve and starts the runbook mapped to its alert
 * name (trigger {@code alert}).
 */
public class AlertIntake {
    public static final List<String> SOURCES = List.of("alertmanager", "grafana", "generic");
    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);

    private final Engine engine;
    private final IncidentService incidents;
    private final AlertParser parser;
    private final Map<String, WebhookAuth> auth = new LinkedHashMap<>();
    private final Map<String, String> jobs;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public AlertIntake(Engine engine, IncidentService incidents) {
        this.engine = engine;
        this.incidents = incidents;
        this.parser = new AlertParser(incidents.policy());
        for (String source : SOURCES) {
            String token = engine.property("runbook.alert." + source + ".token", "");
            auth.put(source, new WebhookAuth(token.isBlank() ? engine.apiToken() : token,
                    engine.property("runbook.alert." + source + ".hmac-secret", "")));
        }
        this.jobs = jobs(engine.property("runbook.alert.jobs", ""));
        this.jdbc = new JdbcTemplate(engine.dataSource());
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(engine.dataSource()));
    }

    /** {@code RegionDown:dns-failover,EmergencyStop:emergency-stop}: alert name to the job it starts. */
    static Map<String, String> jobs(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.split(":", 2);
            if (kv.length == 2 && !kv[0].isBlank() && !kv[1].isBlank()) {
                map.put(kv[0].trim(), kv[1].trim());
            }
        }
        return map;
    }

    /** Handles one webhook request; answers 202 with the stored event ids. */
    public Object receive(String source, Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        body = body == null ? new byte[0] : body;
        auth.get(source).check(name -> Http.header(exchange, name), body, Instant.now());
        List<AlertEvent> events = parser.parse(source, body);
        List<Long> ids = store(events);
        List<Long> incidentIds = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            incidentIds.add(process(ids.get(i), events.get(i)));
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", events.size());
        answer.put("events", ids);
        answer.put("incidents", incidentIds);
        return answer;
    }

    private List<Long> store(List<AlertEvent> events) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return tx.execute(status -> {
            List<Long> ids = new ArrayList<>();
            for (AlertEvent e : events) {
                org.springframework.jdbc.support.GeneratedKeyHolder keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
                jdbc.update(con -> {
                    var ps = con.prepareStatement("insert into alert_event (source, fingerprint, status, alertname,"
                            + " priority, title, labels, annotations, starts_at, ends_at, received_at)"
                            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
                    ps.setString(1, e.source());
                    ps.setString(2, cut(e.fingerprint(), 200));
                    ps.setString(3, e.status());
                    ps.setString(4, cut(e.alertname(), 300));
                    ps.setString(5, e.priority());
                    ps.setString(6, cut(e.title(), 1000));
                    ps.setString(7, cut(json(e.labels()), 8000));
                    ps.setString(8, cut(json(e.annotations()), 8000));
                    ps.setObject(9, e.startsAt());
                    ps.setObject(10, e.endsAt());
                    ps.setObject(11, now);
                    return ps;
                }, keys);
                ids.add(keys.getKey().longValue());
            }
            return ids;
        });
    }

    /** Opens, updates or resolves the event's incident; a failure leaves the event stored and unprocessed. */
    private Long process(long eventId, AlertEvent e) {
        try {
            Long incident = null;
            if (e.firing()) {
                IncidentService.Raised raised = incidents.open(e.incidentKey(), e.priority(), e.title(), e.detail(),
                        e.labels(), java.util.Set.of());
                incident = raised.id();
                String job = jobs.get(e.alertname());
                if (raised.opened() && job != null) {
                    startJob(job, e, incident);
                }
            } else {
                incidents.resolve(e.incidentKey(), e.detail());
            }
            jdbc.update("update alert_event set processed_at = ?, incident_id = ? where id = ?",
                    OffsetDateTime.now(ZoneOffset.UTC), incident, eventId);
            return incident;
        } catch (RuntimeException ex) {
            LOG.error("Alert event {} ({}) stored but not processed", eventId, e.incidentKey(), ex);
            return null;
        }
    }

    private void startJob(String job, AlertEvent e, long incident) {
        if (!engine.runner().isJob(job)) {
            LOG.warn("Alert {} maps to job {}, which is not loaded: nothing started", e.alertname(), job);
            return;
        }
        Map<String, Object> params = new LinkedHashMap<>(e.labels());
        params.put("RunbookIncidentId", incident);
        long run = engine.runner().submit(job, "alert", params);
        LOG.info("Alert {} started job {} (run {}, incident {})", e.alertname(), job, run, incident);
    }

    private static String json(Map<String, String> map) {
        try {
            return Http.JSON.writeValueAsString(map);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException(ex);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
