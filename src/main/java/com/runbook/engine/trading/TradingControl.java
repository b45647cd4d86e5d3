package com.runbook.engine.trading;

import com.runbook.engine.core.CurrentRun;
import com.runbook.engine.settings.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.text.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Halts and resumes trading (routes/emergency-stop.camel.yaml, routes/trading-resume.camel.yaml): calls the trading
 * API, publishes "Trading halted at &lt;UTC time&gt;" to the Pub/Sub topic, pages P1 (every channel) and records who did
 * it in {@code trading_control}. Bound as {@code tradingControl}. A halt or resume that does not happen (the API
 * refuses it, cannot be reached, or is not configured) pages P1 "Trading halt FAILED" and fails the run.
 * <p>In a dry run ({@link DryRun#current()}) nothing is called or written: the plan gets the call ("halt trading via
 * POST &lt;url&gt;") and the {@code trading_control} row, and the Pub/Sub notice and the incident go to the notifier
 * and the incident service, which record them in the plan; a missing URL fails the dry run as it fails a real run.
 */
public class TradingControl {
    static final String INCIDENT_KEY = "TradingHalted";
    private static final Logger LOG = LoggerFactory.getLogger(TradingControl.class);
    /** Made at the first call, not at the start: a client loads the trust store (0.1-0.2 s of a start). */
    private static final class Client {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String stopUrl;
    private final String resumeUrl;
    private final String apiToken;
    private final String topic;
    private final Duration timeout;
    private final JdbcTemplate jdbc;
    private final Supplier<IncidentRaiser> incidents;
    private final Supplier<Notifier> notifier;
    private final Audit audit;
    private final TransactionTemplate transactions;

    TradingControl(TradingModule.TradingSettings settings, DataSource dataSource, Supplier<IncidentRaiser> incidents,
                   Supplier<Notifier> notifier, Audit audit) {
        this.audit = audit;
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.stopUrl = settings.stopUrl().orElse(null);
        this.resumeUrl = settings.resumeUrl().orElse(null);
        this.apiToken = settings.apiToken().orElse(null);
        this.topic = settings.alertTopic();
        this.timeout = settings.timeout();
        this.jdbc = new JdbcTemplate(dataSource);
        this.incidents = incidents;
        this.notifier = notifier;
    }

    /**
     * Halts trading; throws (the run fails, and a P1 "Trading halt FAILED" pages everyone) when the trading API does
     * not accept it, cannot be reached, or is not configured.
     */
    @DryRunSafe
    public Map<String, Object> halt(String triggeredBy, String reason) {
        return act("halt", stopUrl, "runbook.trading.stop-url", triggeredBy, reason);
    }

    /** Resumes trading and resolves the TradingHalted incident; fails (with a P1) as {@link #halt} does. */
    @DryRunSafe
    public Map<String, Object> resume(String triggeredBy, String reason) {
        return act("resume", resumeUrl, "runbook.trading.resume-url", triggeredBy, reason);
    }

    /**
     * How a dry run's plan names the call to the trading API: {@code halt trading via POST <url>}, the URL without user
     * info or query (where a token could be).
     */
    static String callEffect(String action, String url) {
        return action + " trading via POST " + shown(url);
    }

    static String shown(String url) {
        try {
            URI u = URI.create(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
                    + (u.getRawQuery() == null ? "" : "?…");
        } catch (IllegalArgumentException | URISyntaxException e) {
            return "(invalid URL)";
        }
    }

    /** How a dry run's plan names the {@code trading_control} row a real run inserts. */
    static String recordEffect(String action, String who, String why) {
        return "insert trading_control " + action + " by " + who + ": " + why;
    }

    private Map<String, Object> act(String action, String url, String key, String triggeredBy, String reason) {
        Optional<DryRun> plan = DryRun.current();
        if (plan.isEmpty() && RunTrigger.DRY_RUN.stored().equals(triggeredBy)) {
            // fail-closed: a dry run whose plan is not on this thread must not act
            throw new IllegalStateException("a dry run reached tradingControl without its plan: trading was not " + action
                    + (action.equals("halt") ? "ed" : "d"));
        }
        String who = triggeredBy == null || triggeredBy.isBlank() ? "unknown" : triggeredBy;
        // trading_control.reason is varchar(1000); a reason may come from an alert label or an API body
        String why = reason == null || reason.isBlank() ? "no reason given" : Text.clean(reason, 1000);
        if (url == null || url.isBlank()) {
            throw failed(action, Settings.named(key) + " is not set: cannot " + action + " trading", who, why);
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String text = "Trading " + (action.equals("halt") ? "halted" : "resumed") + " at " + at;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("action", action);
        String noticeKey;
        if (plan.isPresent()) {
            // a rehearsal: the trading API is not called; the plan says what a real run does when it accepts
            plan.get().wouldDo("trading", callEffect(action, url));
            plan.get().wouldDo("sql", recordEffect(action, who, why));
            noticeKey = "trading-" + action + "-dry-run-" + plan.get().runId();
            result.put("message", "would " + callEffect(action, url));
        } else {
            Answer answer = call(url, action, who, why);
            long controlId = recorded(action, url, who, why, answer.status(), at);
            if (answer.status() / 100 != 2) {
                throw failed(action, "the trading API did not accept the " + action + " (" + url + " " + answer.what() + ")", who, why);
            }
            noticeKey = "trading-" + action + "-" + controlId;
            result.put("message", text);
            result.put("tradingApiStatus", answer.status());
        }
        Notifier n = notifier.get();
        if (n != null) {
            n.enqueue("pubsub:" + topic, null, text, text, noticeKey, Map.of("action", action));
        } else {
            LOG.error("No notifier bound: '{}' not published", text);
        }
        IncidentRaiser raiser = incidents.get();
        if (raiser != null) {
            if (action.equals("halt")) {
                raiser.raise(INCIDENT_KEY, "P1", text, text + " by " + who + ": " + why, Map.of("source", "trading", "action", action));
            } else {
                raiser.resolve(INCIDENT_KEY, text + " by " + who + ": " + why);
            }
        }
        if (plan.isPresent()) {
            LOG.info("Rehearsed: would {} trading via POST {} (by {}: {})", action, shown(url), who, why);
        } else {
            LOG.warn("{} by {}: {}", text, who, why);
        }
        result.put("triggeredBy", who);
        result.put("reason", why);
        return result;
    }

    /**
     * Records the outcome of the call to the trading API: the {@code trading_control} row and, when the API accepted
     * (trading did halt or resume), its {@code trading.halted} / {@code trading.resumed} audit entry, in one
     * transaction. The call itself cannot share a database transaction: the entry is written with the row that records
     * its outcome, after the call, so a crash between the call and this commit leaves neither (the run is then
     * abandoned as failed at the next start, and its {@code run.started} entry says who asked).
     * The actor is the run's ({@link #ACTOR_MDC} of the run's thread), the engine's trading part outside a run.
     */
    private long recorded(String action, String url, String who, String why, int status, Instant at) {
        return transactions.execute(tx -> {
            long id = insert(action, who, why, status, at);
            if (status / 100 == 2) {
                audit.record(entry(action, CurrentRun.actor("trading"), CurrentRun.job(), url, why, status, id));
            }
            return id;
        });
    }

    /** The entry of an accepted halt or resume: subject {@code trading}, detail run, reason, API (shown) and status. */
    static AuditEntry entry(String action, Actor actor, String job, String url, String why, int status, long controlId) {
        Map<String, Object> detail = new LinkedHashMap<>();
        Long runId = CurrentRun.id();
        if (runId != null) {
            detail.put("runId", runId);
        }
        detail.put("reason", why);
        detail.put("tradingApi", "POST " + shown(url));
        detail.put("tradingApiStatus", status);
        detail.put("controlId", controlId);
        return new AuditEntry(action.equals("halt") ? AuditAction.TRADING_HALTED : AuditAction.TRADING_RESUMED, actor,
                job, "trading", detail);
    }

    private long insert(String action, String who, String why, int status, Instant at) {
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
        return keys.getKey().longValue();
    }

    /**
     * Pages P1 that the action failed (trading is NOT halted or resumed: someone must act) and returns the failure to
     * throw. In a dry run the page goes into the plan (the incident service records it) and the dry run fails the same.
     */
    private IllegalStateException failed(String action, String failure, String who, String why) {
        IncidentRaiser raiser = incidents.get();
        if (raiser != null) {
            raiser.raise("TradingControlFailed/" + action, "P1", "Trading " + action + " FAILED", failure + "; triggered by " + who
                    + ": " + why, Map.of("source", "trading", "action", action));
        } else {
            LOG.error("No incident service bound: could not page that the trading {} failed: {}", action, failure);
        }
        return new IllegalStateException(failure);
    }

    /** What the trading API answered: its HTTP status, 0 when there was no answer (then {@code problem} says why). */
    record Answer(int status, String problem) {
        String what() {
            return status == 0 ? problem : "answered " + status;
        }
    }

    /** POSTs {"reason", "requestedBy"} to the trading API; what it answered, or why there was no answer. */
    private Answer call(String url, String action, String who, String why) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("reason", why, "requestedBy", who))));
            if (apiToken != null && !apiToken.isBlank()) {
                b.header("Authorization", "Bearer " + apiToken);
            }
            return new Answer(Client.CLIENT.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode(), null);
        } catch (IOException e) {
            LOG.error("Trading API {} call to {} failed: {}", action, url, e.toString());
            return new Answer(0, "unreachable");
        } catch (IllegalArgumentException e) {
            // URI.create and HttpRequest refuse a URL without http(s) scheme or host
            LOG.error("Trading API {} URL {} is not usable: {}", action, url, e.getMessage());
            return new Answer(0, "is not a usable http(s) URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "not called: interrupted");
        }
    }
}
