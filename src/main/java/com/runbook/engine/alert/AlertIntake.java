package com.runbook.engine.alert;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.definition.ParametersRefused;
import com.runbook.engine.definition.Role;
import com.runbook.engine.incident.IncidentService;
import com.runbook.engine.incident.Priority;
import com.runbook.engine.store.GroupCommit;
import com.runbook.engine.text.Text;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.ExchangeBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.language.ConstantExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static com.runbook.engine.definition.Runbooks.ALERT_ROUTING;

/**
 * The webhook side: authenticates, parses, asks the {@code alert-routing} route (routes/) for each firing alert's
 * priority and runbook, and commits every alert event of the request with the incident changes and pages it causes
 * (before accepting them); then starts the runbook routed for each newly opened incident (trigger {@code alert}).
 */
final class AlertIntake {
    static final List<String> SOURCES = List.of("alertmanager", "grafana", "generic");
    /**
     * The shipped guarded runbooks: an alert starts them only when {@code alert-routing} names them (see {@link
     * #explicitlyRouted}), and with the alert's reason only. Any other runbook whose file declares {@code run: admin} is
     * guarded the same way ({@link #guarded}); these four stay guarded even if their files stop declaring it.
     */
    static final Set<String> GUARDED = Set.of("emergency-stop", "trading-resume", "dns-failover", "dns-rollback");
    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);

    private final Parts parts;
    private final IncidentService incidents;
    private final AlertParser parser;
    private final Map<String, WebhookAuth> auth = new LinkedHashMap<>();
    private final JdbcTemplate jdbc;
    private final GroupCommit commits;
    private final TransactionTemplate tx;
    private final MeterRegistry meters;
    private final Duration reloadWait;

    /**
     * The answer a request or message got, as the {@code status} label of {@code runbook_webhook_requests_total} (the
     * README documents these values: they are what the sender saw).
     */
    private enum Answer {
        ACCEPTED("202"), INVALID("400"), UNAUTHENTICATED("401"), NOT_JSON("415"), FAILED("500"), UNAVAILABLE("503");

        final String label;

        Answer(String label) {
            this.label = label;
        }

        static Answer of(Refused refused) {
            return refused.reason() == Refused.Reason.UNAUTHENTICATED ? UNAUTHENTICATED : INVALID;
        }
    }

    /** Writes through the shared group commit ({@code parts.writes()}, the outbox's writer too). */
    AlertIntake(Parts parts, IncidentService incidents, AlertSettings settings) {
        this.meters = parts.meters();
        this.parts = parts;
        this.incidents = incidents;
        this.parser = new AlertParser(incidents.policy());
        settings.sources().forEach((source, c) -> auth.put(source,
                new WebhookAuth(c.token().isBlank() ? parts.apiToken().get() : c.token(), c.secret())));
        this.jdbc = new JdbcTemplate(parts.db());
        this.commits = parts.writes();
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(parts.db()));
        this.reloadWait = settings.reloadWait();
    }

    /** What {@code alert-routing} decided for one alert: its priority and the job to start (null: not set). */
    record Routing(Priority priority, String runbook) {
        static final Routing NONE = new Routing(null, null);
    }

    /**
     * Calls {@code alert-routing} with the alert's labels as the body (a read-only map: {@code ${body[alertname]}})
     * and no headers, and reads back the {@code priority} and {@code runbook} headers it set. Labels are data: no
     * label can name the runbook, set a priority (but the {@code priority} label, see {@link #routed}) or any other
     * header. Resolved alerts, a missing route (deleted or refused) and a failing one route nothing: the alert
     * is still stored and paged by its labels alone.
     */
    Routing route(AlertEvent e) {
        Route current = parts.camel().getRoute(ALERT_ROUTING);
        if (!e.firing() || current == null) {
            return Routing.NONE;
        }
        // straight into the route in force rather than through a producer on direct:alert-routing: Camel's shared
        // DirectProducer records a reload's new state before the new consumer, so a concurrent caller could still be
        // handed the removed route's stopped processor (RejectedExecutionException) just after a reload
        Exchange done = ExchangeBuilder.anExchange(parts.camel()).withBody(Map.copyOf(e.labels())).build();
        try {
            current.getConsumer().getProcessor().process(done);
        } catch (Exception failed) {
            done.setException(failed);
        }
        if (done.getException() != null) {
            LOG.error("Route {} failed for alert {} ({}): it is paged by its labels alone", ALERT_ROUTING,
                    e.incidentKey(), done.getException().toString());
            return Routing.NONE;
        }
        String priority = done.getMessage().getHeader("priority", String.class);
        Priority p = Priority.parse(priority);
        if (priority != null && p == null) {
            LOG.error("Route {} set priority '{}' for alert {}, not one of P1, P2, P3, P4: ignored", ALERT_ROUTING,
                    priority, e.incidentKey());
        }
        String runbook = done.getMessage().getHeader("runbook", String.class);
        return new Routing(p, runbook == null || runbook.isBlank() ? null : runbook.trim());
    }

    /** The alert with the routed priority, unless it has a {@code priority} label of its own (which wins). */
    static AlertEvent routed(AlertEvent e, Routing r) {
        return r.priority() == null || e.labels().containsKey("priority") ? e : e.withPriority(r.priority());
    }

    /**
     * Handles one webhook request: the alert events, the incidents they open, update or resolve, and the pages are
     * written in ONE transaction (with those of concurrent requests: {@link GroupCommit}), committed before they are
     * accepted. An alert of a batch with a problem of its own is refused alone (listed in the answer's {@code refused}).
     * If anything fails nothing is stored and the sender gets an error and retries (Alertmanager does); an HA
     * Alertmanager pair racing on the same new incident is such a case. The runbooks mapped to newly opened incidents
     * start after the commit.
     */
    Reply receive(String source, Request request) {
        Answer status = Answer.FAILED;
        try {
            byte[] body = request.body();
            auth.get(source).check(request, body, Instant.now());
            AlertParser.Parsed parsed = parser.read(source, body);
            List<AlertEvent> events = parsed.events();
            List<Long> incidentIds = accept(events);
            status = Answer.ACCEPTED;
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", events.size());
            answer.put("incidents", incidentIds);
            if (!parsed.refused().isEmpty()) {
                LOG.warn("Webhook {}: {} alerts stored, {} refused alone: {}", source, events.size(),
                        parsed.refused().size(), String.join("; ", parsed.refused()));
                answer.put("refused", parsed.refused());
            }
            return Reply.accepted(answer);
        } catch (ReloadInProgress e) {
            status = Answer.UNAVAILABLE;
            throw new Refused(Refused.Reason.UNAVAILABLE, e.getMessage());
        } catch (Refused e) {
            status = Answer.of(e);
            throw e;
        } catch (RuntimeException e) {
            if (request.form() != null) {   // the edge refuses a form body: its raw bytes are gone
                status = Answer.NOT_JSON;
            }
            throw e;
        } finally {
            requests(source, status).increment();
        }
    }

    /**
     * One Google Cloud Monitoring notification from Pub/Sub. Stored before this returns, so the consumer acknowledges
     * the message only after the commit (an exception, e.g. {@link ReloadInProgress}, nacks it and Pub/Sub redelivers).
     * A malformed message is logged and acknowledged: redelivering it would fail the same way forever.
     */
    void receiveCloudMonitoring(byte[] body, String messageId) {
        Answer status = Answer.FAILED;
        try {
            List<AlertEvent> events = parser.parse(AlertParser.CLOUD_MONITORING, body == null ? new byte[0] : body);
            List<Long> ids = accept(events);
            status = Answer.ACCEPTED;
            LOG.info("Cloud Monitoring message {}: incident {} {} -> {}", messageId, events.get(0).fingerprint(),
                    events.get(0).status(), ids.get(0) == null ? "resolved" : "incident " + ids.get(0));
        } catch (ReloadInProgress e) {
            status = Answer.UNAVAILABLE;
            throw e;
        } catch (Refused e) {
            status = Answer.INVALID;
            LOG.error("Cloud Monitoring message {} refused and acknowledged, nothing stored: {}", messageId, e.getMessage());
        } finally {
            requests(AlertParser.CLOUD_MONITORING, status).increment();
        }
    }

    private Counter requests(String source, Answer answer) {
        return Counter.builder("runbook.webhook.requests").description("Alert intake requests by source and answer")
                .tags("source", source, "status", answer.label).register(meters);
    }

    /**
     * Commits the events, the incidents they open, update or resolve, and their pages in ONE transaction (grouped with
     * concurrent requests'); then starts the runbooks mapped to newly opened incidents. Answers the incident id per
     * event (null: resolved). All of it happens while no reload of the runbook files is under way (routing never sees
     * a half-applied set: {@code alert-routing} or the runbook it names removed and not yet added back); a reload in
     * progress is waited for up to {@code runbook.alert.reload-wait}, then nothing is stored: {@link ReloadInProgress}.
     */
    List<Long> accept(List<AlertEvent> received) {
        Lock settled = parts.runbooks().settled();
        boolean held;
        try {
            held = settled.tryLock(reloadWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {   // the engine is stopping: the sender delivers them again
            Thread.currentThread().interrupt();
            throw new ReloadInProgress();
        }
        if (!held) {
            LOG.error("{} alert event(s) not accepted, nothing stored: the runbook files were still being reloaded"
                    + " after {} (runbook.alert.reload-wait); the sender delivers them again", received.size(), reloadWait);
            throw new ReloadInProgress();
        }
        try {
            return acceptSettled(received);
        } finally {
            settled.unlock();
        }
    }

    /** {@link #accept} while no reload of the runbook files is under way. */
    private List<Long> acceptSettled(List<AlertEvent> received) {
        List<Routing> routes = received.stream().map(this::route).toList();
        List<AlertEvent> events = new ArrayList<>(received.size());
        for (int i = 0; i < received.size(); i++) {
            events.add(routed(received.get(i), routes.get(i)));
        }
        List<IncidentService.Raised> raised;
        try {
            raised = commits.call(() -> write(events, true));
        } catch (RuntimeException e) {
            // undone alone (the others of its group committed): again on the careful path, in a transaction of its
            // own, which settles a race with another node opening the same incident; a second failure fails the request
            LOG.debug("Batched write of {} alert events failed; writing them one by one", events.size(), e);
            raised = tx.execute(status -> write(events, false));
        }
        List<Long> incidentIds = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            IncidentService.Raised r = raised.get(i);
            incidentIds.add(r == null ? null : r.id());
            String job = routes.get(i).runbook();
            if (r != null && r.opened() && job != null) {
                startJob(job, events.get(i), r.id());
            }
        }
        return incidentIds;
    }

    /**
     * Inside the (group's) transaction: the incident changes and pages of the events, then the events themselves.
     * {@code batched}: the firing events that open a new incident (their key neither open nor repeated in the list)
     * are opened with batched statements ({@link IncidentService#openNew}), the others one by one, in order;
     * otherwise (the careful path, after the batched write failed) every event one by one through
     * {@link IncidentService#open}, which also settles a race with another node opening the same key.
     */
    private List<IncidentService.Raised> write(List<AlertEvent> events, boolean batched) {
        IncidentService.Raised[] results = new IncidentService.Raised[events.size()];
        List<Integer> fresh = new ArrayList<>();
        if (batched) {
            Map<String, Integer> seen = new HashMap<>();
            events.forEach(e -> seen.merge(e.incidentKey(), 1, Integer::sum));
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).firing() && seen.get(events.get(i).incidentKey()) == 1) {
                    candidates.add(i);
                }
            }
            Set<String> open = incidents.openKeys(candidates.stream().map(i -> events.get(i).incidentKey()).toList());
            candidates.stream().filter(i -> !open.contains(events.get(i).incidentKey())).forEach(fresh::add);
        }
        Set<Integer> batch = new HashSet<>(fresh);
        for (int i = 0; i < events.size(); i++) {
            AlertEvent e = events.get(i);
            if (!batch.contains(i)) {
                results[i] = e.firing()
                        ? incidents.open(e.incidentKey(), e.priority(), e.title(), e.detail(), e.labels(), Set.of())
                        : resolved(e);
            }
        }
        List<IncidentService.Raised> opened = incidents.openNew(fresh.stream().map(events::get)
                .map(e -> new IncidentService.Opening(e.incidentKey(), e.priority(), e.title(), e.detail(), e.labels()))
                .toList());
        for (int j = 0; j < fresh.size(); j++) {
            results[fresh.get(j)] = opened.get(j);
        }
        List<IncidentService.Raised> list = Arrays.asList(results);
        store(events, list);
        return list;
    }

    private IncidentService.Raised resolved(AlertEvent e) {
        incidents.resolve(e.incidentKey(), e.detail());
        return null;
    }

    /** The request's alert events, in one JDBC batch (one round trip instead of one per alert). */
    private void store(List<AlertEvent> events, List<IncidentService.Raised> raised) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Object[]> rows = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            AlertEvent e = events.get(i);
            IncidentService.Raised r = raised.get(i);
            rows.add(new Object[] {e.source(), Text.clean(e.fingerprint(), Text.FINGERPRINT), e.status(),
                    Text.clean(e.alertname(), Text.ALERTNAME), e.priority().name(), Text.clean(e.title(), Text.TITLE),
                    Text.clean(Text.json(e.labels()), Text.MAP), Text.clean(Text.json(e.annotations()), Text.MAP),
                    e.startsAt(), e.endsAt(), now, now, r == null ? null : r.id()});
        }
        jdbc.batchUpdate("insert into alert_event (source, fingerprint, status, alertname, priority, title, labels,"
                + " annotations, starts_at, ends_at, received_at, processed_at, incident_id)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    private void startJob(String job, AlertEvent e, long incident) {
        if (!parts.runs().isJob(job)) {
            LOG.warn("Alert {} is routed to job {}, which is not loaded: nothing started", e.alertname(), job);
            return;
        }
        boolean guarded = guarded(job, parts.runbooks().roleOf(job));
        if (guarded && !explicitlyRouted(job, e)) {
            LOG.error("Alert {} is routed to the guarded runbook {}, which may come from the alert itself: nothing"
                    + " started (route {} must set runbook to the constant '{}' for such alerts, and choose no runbook"
                    + " by an expression that reads the alert)", e.alertname(), job, ALERT_ROUTING, job);
            return;
        }
        Map<String, Object> params = parameters(guarded, e);
        params.put("RunbookIncidentId", incident);
        try {
            long run = parts.runs().start(job, RunTrigger.ALERT, params, Actor.alert(e.fingerprint()));
            LOG.info("Alert {} started job {} (run {}, incident {})", e.alertname(), job, run, incident);
        } catch (ParametersRefused refused) {
            LOG.error("Alert {} is routed to job {}, which refused its labels: {} (incident {}; nothing started)",
                    e.alertname(), job, refused.getMessage(), incident);
        }
    }

    /**
     * Whether an alert may start {@code job} only as a guarded runbook: one of {@link #GUARDED}, or a runbook that
     * needs admin to run ({@code declared}: its {@code - access: {run: ...}}). An alert acts as admin (its runbook is
     * a reviewed file), so the declared role alone would not hold it back: what guards it is that alert-routing must
     * name it by a constant and that the alert gives it nothing but a reason.
     */
    static boolean guarded(String job, Role declared) {
        return GUARDED.contains(job) || declared == Role.ADMIN;
    }

    /**
     * The parameters an alert gives the run of {@code job}: its labels but the reserved ones; a guarded runbook takes
     * only the free-text {@code reason} (a label {@code target=...} or {@code force=true} would steer the DNS swap or
     * skip its cooldown), and otherwise runs on its configured defaults.
     */
    static Map<String, Object> parameters(boolean guarded, AlertEvent e) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (guarded) {
            params.put("reason", e.labels().getOrDefault("reason", "alert " + e.alertname()));
            return params;
        }
        e.labels().forEach((name, value) -> {
            if (!reserved(name)) {
                params.put(name, value);
            }
        });
        return params;
    }

    /**
     * Whether {@code alert-routing} named the guarded runbook {@code job} for this alert itself: it sets {@code
     * runbook} to that constant somewhere ({@code setHeader: {name: runbook, constant: dns-failover}}), and if it also
     * sets {@code runbook} by an expression anywhere, the name is none of the alert's label values (the expression
     * may have copied it from the alert, e.g. {@code ${body[job]}}).
     */
    private boolean explicitlyRouted(String job, AlertEvent e) {
        RouteDefinition route = parts.camel().getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(ALERT_ROUTING);
        if (route == null) {
            return false;
        }
        boolean named = false;
        boolean computed = false;
        for (SetHeaderDefinition set : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                SetHeaderDefinition.class)) {
            if ("runbook".equals(set.getName())) {
                if (set.getExpression() instanceof ConstantExpression c) {
                    named |= job.equals(c.getExpression().trim());
                } else {
                    computed = true;
                }
            }
        }
        return named && !(computed && e.labels().containsValue(job));
    }

    /**
     * True for a label name that must not become a run parameter (a header of the run): the engine's own headers
     * ({@code Runbook...}: RunbookRunId, RunbookTrigger, RunbookIncidentId) and Camel's ({@code Camel...}, which
     * steer components: CamelHttpUri, CamelFileName, ...), in any case (Camel headers are case-insensitive).
     */
    static boolean reserved(String name) {
        // dryRun is reserved too: a run is a dry run by its trigger (dry-run), never by a label or parameter
        return name.regionMatches(true, 0, "Runbook", 0, 7) || name.regionMatches(true, 0, "Camel", 0, 5)
                || name.equalsIgnoreCase("dryRun");
    }
}
