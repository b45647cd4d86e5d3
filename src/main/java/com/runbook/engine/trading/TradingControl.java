package com.runbook.engine.trading;

import com.runbook.engine.settings.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.text.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Halts and resumes trading (routes/emergency-stop.camel.yaml, routes/trading-resume.camel.yaml): calls the trading
 * API, publishes "Trading halted at &lt;UTC time&gt;" to the Pub/Sub topic, pages P1 (every channel) and records who did
 * it in {@code trading_control}. Bound as {@code trading}.
 */
public class TradingControl {
    static final String INCIDENT_KEY = "TradingHalted";
    private static final Logger LOG = LoggerFactory.getLogger(TradingControl.class);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String stopUrl;
    private final String resumeUrl;
    private final String apiToken;
    private final String topic;
    private final Duration timeout;
    private final JdbcTemplate jdbc;
    private final Supplier<IncidentRaiser> incidents;
    private final Supplier<Notifier> notifier;

    TradingControl(TradingModule.TradingSettings settings, DataSource dataSource, Supplier<IncidentRaiser> incidents,
                   Supplier<Notifier> notifier) {
        this.stopUrl = settings.stopUrl().orElse(null);
        this.resumeUrl = settings.resumeUrl().orElse(null);
        this.apiToken = settings.apiToken().orElse(null);
        this.topic = settings.alertTopic();
        this.timeout = settings.timeout();
        this.jdbc = new JdbcTemplate(dataSource);
        this.incidents = incidents;
        this.notifier = notifier;
    }

    /** Halts trading; throws (the run fails, and a P1 says the stop failed) when the trading API does not accept it. */
    public Map<String, Object> halt(String triggeredBy, String reason) {
        return act("halt", stopUrl, "runbook.trading.stop-url", triggeredBy, reason);
    }

    public Map<String, Object> resume(String triggeredBy, String reason) {
        return act("resume", resumeUrl, "runbook.trading.resume-url", triggeredBy, reason);
    }

    private Map<String, Object> act(String action, String url, String key, String triggeredBy, String reason) {
        String who = triggeredBy == null || triggeredBy.isBlank() ? "unknown" : triggeredBy;
        // trading_control.reason is varchar(1000); a reason may come from an alert label or an API body
        String why = reason == null || reason.isBlank() ? "no reason given" : Text.clean(reason, 1000);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(Settings.named(key) + " is not set: cannot " + action + " trading");
        }
        int status = call(url, action, who, why);
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(
                    "insert into trading_control (action, triggered_by, reason, api_status, at) values (?, ?, ?, ?, ?)", new String[] {"id"});
            ps.setString(1, action);
            ps.setString(2, who);
            ps.setString(3, why);
            if (status == 0) {
                ps.setNull(4, Types.INTEGER);
            } else {
                ps.setInt(4, status);
            }
            ps.setObject(5, at.atOffset(ZoneOffset.UTC));
            return ps;
        }, keys);
        long controlId = keys.getKey().longValue();
        IncidentRaiser raiser = incidents.get();
        if (status / 100 != 2) {
            String failure = "the trading API did not accept the " + action + " (" + url + (status == 0 ? " unreachable" : " answered " + status) + ")";
            if (raiser != null) {
                raiser.raise("TradingControlFailed/" + action, "P1", "Trading " + action + " FAILED", failure + "; triggered by " + who
                        + ": " + why, Map.of("source", "trading", "action", action));
            }
            throw new IllegalStateException(failure);
        }
        String text = "Trading " + (action.equals("halt") ? "halted" : "resumed") + " at " + at;
        Notifier n = notifier.get();
        if (n != null) {
            n.enqueue("pubsub:" + topic, null, text, text, "trading-" + action + "-" + controlId, Map.of("action", action));
        } else {
            LOG.error("No notifier bound: '{}' not published", text);
        }
        if (raiser != null) {
            if (action.equals("halt")) {
                raiser.raise(INCIDENT_KEY, "P1", text, text + " by " + who + ": " + why, Map.of("source", "trading", "action", action));
            } else {
                raiser.resolve(INCIDENT_KEY, text + " by " + who + ": " + why);
            }
        }
        LOG.warn("{} by {}: {}", text, who, why);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("action", action);
        result.put("message", text);
        result.put("triggeredBy", who);
        result.put("reason", why);
        result.put("tradingApiStatus", status);
        return result;
    }

    /** POSTs {"reason", "requestedBy"} to the trading API; the HTTP status, 0 when it could not be reached. */
    private int call(String url, String action, String who, String why) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("reason", why, "requestedBy", who))));
            if (apiToken != null && !apiToken.isBlank()) {
                b.header("Authorization", "Bearer " + apiToken);
            }
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            LOG.error("Trading API {} call to {} failed: {}", action, url, e.getMessage());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
