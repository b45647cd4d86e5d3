package com.runbook.engine.health;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The health watchdog (routes/health-watchdog.camel.yaml calls {@link #tick()}): probes each configured endpoint when
 * its interval is due; after {@code failures-before-alert} consecutive failures opens an incident and calls the
 * endpoint's restart hook; the first success after that resolves the incident. An endpoint that flaps is paged at
 * most once per {@code runbook.watchdog.repeat-interval}. Each endpoint's state (last check, consecutive failures,
 * open incident, last page) lives in the engine database ({@code watchdog_state}), so in a cluster it follows the
 * schedule's fire to whichever node runs it. Bound as {@code watchdog}.
 * <p>In a dry run a tick probes as usual (a probe only reads) but keeps no state, plans the restart hook's POST instead
 * of calling it, and leaves the incidents to the incident service, which plans them.
 */
public class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    /** The restart hooks' client, made at the first hook called: a client loads the trust store (0.1-0.2 s). */
    private static final class Hooks {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** One watched endpoint, from {@code runbook.watchdog.endpoint.<name>.*}. */
    public record Endpoint(String name, String url, Duration interval, Duration timeout, int failuresBeforeAlert,
                           String restartHook, String priority) {
    }

    /** One endpoint's state, kept in {@code watchdog_state}: it follows the clustered fire from node to node. */
    private static final class State {
        Instant lastCheck;
        int failures;
        boolean open;
        Instant lastPaged;
    }

    private final List<Endpoint> endpoints;
    private final Duration repeatInterval;
    private final List<String> problems;
    private final Supplier<IncidentRaiser> incidents;
    private final JdbcTemplate jdbc;
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "watchdog-probe");
        t.setDaemon(true);
        return t;
    });

    Watchdog(List<Endpoint> endpoints, Duration repeatInterval, List<String> problems, Supplier<IncidentRaiser> incidents,
                    DataSource dataSource) {
        this.endpoints = List.copyOf(endpoints);
        this.repeatInterval = repeatInterval;
        this.problems = List.copyOf(problems);
        this.incidents = incidents;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** A watchdog on the {@code runbook.watchdog.*} settings. */
    static Watchdog fromConfig(Settings s, Supplier<IncidentRaiser> incidents, DataSource dataSource) {
        WatchdogSettings settings = WatchdogSettings.from(s);
        return new Watchdog(settings.endpoints(), settings.repeatInterval(), settings.problems(), incidents, dataSource);
    }

    /** The {@code runbook.watchdog.*} settings: the endpoints, the repeat interval, and every problem found in them. */
    record WatchdogSettings(List<Endpoint> endpoints, Duration repeatInterval, List<String> problems) {
        /**
         * Reads {@code runbook.watchdog.*}: the endpoints named by {@code runbook.watchdog.endpoints}, each from its
         * {@code runbook.watchdog.endpoint.<name>.*} keys (read with {@link Settings#optional}), an unset one from the
         * watchdog-wide {@code runbook.watchdog.<key>}. Every problem is collected (the watchdog then refuses to tick).
         */
        static WatchdogSettings from(Settings s) {
            List<String> problems = new ArrayList<>();
            List<Endpoint> endpoints = new ArrayList<>();
            for (String name : s.list("runbook.watchdog.endpoints")) {
                String p = "runbook.watchdog.endpoint." + name + ".";
                Optional<String> url = s.optional(p + "url");
                if (url.isEmpty()) {
                    problems.add(p + "url is not set");
                }
                Duration interval = duration(s, p, "interval", problems);
                Duration timeout = duration(s, p, "timeout", problems);
                String f = value(s, p, "failures-before-alert");
                int failures = 0;
                try {
                    failures = Integer.parseInt(f);
                    if (failures < 1) {
                        problems.add(key(s, p, "failures-before-alert") + " must be at least 1, not " + failures);
                    }
                } catch (NumberFormatException e) {
                    problems.add(key(s, p, "failures-before-alert") + " must be a number, not '" + f + "'");
                }
                String priority = value(s, p, "priority");
                if (!priority.matches("P[1-4]")) {
                    problems.add(key(s, p, "priority") + " must be P1, P2, P3 or P4, not '" + priority + "'");
                }
                endpoints.add(new Endpoint(name, url.orElse(null), interval, timeout, failures,
                        s.optional(p + "restart-hook").orElse(null), priority));
            }
            Duration repeat = Duration.ZERO;
            try {
                repeat = s.duration("runbook.watchdog.repeat-interval");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            return new WatchdogSettings(List.copyOf(endpoints), repeat, List.copyOf(problems));
        }
    }

    /** The key an endpoint's setting is read from: its own when set, else the watchdog-wide one. */
    private static String key(Settings s, String prefix, String name) {
        return s.optional(prefix + name).isPresent() ? prefix + name : "runbook.watchdog." + name;
    }

    private static String value(Settings s, String prefix, String name) {
        return s.optional(prefix + name).orElseGet(() -> s.text("runbook.watchdog." + name).trim());
    }

    private static Duration duration(Settings s, String prefix, String name, List<String> problems) {
        String v = value(s, prefix, name);
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            problems.add(key(s, prefix, name) + ": " + e.getMessage());
            return Duration.ZERO;
        }
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Checks every endpoint that is due; returns one line per endpoint checked. */
    @DryRunSafe
    public List<String> tick() {
        return tickAt(Instant.now());
    }

    /**
     * Whether a tick now would probe anything (or report a misconfiguration): when not, the schedule's fire writes no
     * run row (see {@code JobRunner#skipWhenIdle}).
     */
    public boolean hasWork() {
        return !problems.isEmpty() || !due(states(), Instant.now()).isEmpty();
    }

    synchronized List<String> tickAt(Instant now) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the watchdog is misconfigured: " + String.join("; ", problems));
        }
        Map<String, State> states = states();
        List<Endpoint> due = due(states, now);
        List<CompletableFuture<HealthProbe.Result>> results = due.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> HealthProbe.check(e.url(), e.timeout()), probes)).toList();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < due.size(); i++) {
            Endpoint e = due.get(i);
            State s = states.get(e.name());
            lines.add(record(e, s, results.get(i).join(), now));
            if (DryRun.current().isEmpty()) {
                save(e.name(), s);
            }
        }
        return lines;
    }

    private List<Endpoint> due(Map<String, State> states, Instant now) {
        return endpoints.stream().filter(e -> {
            State s = states.get(e.name());
            return s.lastCheck == null || !now.isBefore(s.lastCheck.plus(e.interval()).minus(slack(e)));
        }).toList();
    }

    /**
     * An endpoint is due this much before its interval has passed, so that a tick every interval probes it every
     * time although ticks jitter (and a scheduled fire asks {@link #hasWork} its lead before the due time).
     */
    private static Duration slack(Endpoint e) {
        return e.interval().dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? e.interval().dividedBy(2) : Duration.ofSeconds(1);
    }

    /** Every endpoint's state as stored (a fresh one for an endpoint never probed). */
    private Map<String, State> states() {
        Map<String, State> states = new LinkedHashMap<>();
        endpoints.forEach(e -> states.put(e.name(), new State()));
        if (endpoints.isEmpty()) {
            return states;
        }
        jdbc.query("select endpoint, last_check, failures, incident_open, last_paged from watchdog_state", rs -> {
            State s = states.get(rs.getString(1));
            if (s != null) {
                s.lastCheck = instant(rs.getObject(2, OffsetDateTime.class));
                s.failures = rs.getInt(3);
                s.open = rs.getBoolean(4);
                s.lastPaged = instant(rs.getObject(5, OffsetDateTime.class));
            }
        });
        return states;
    }

    private void save(String endpoint, State s) {
        Object[] args = {at(s.lastCheck), s.failures, s.open, at(s.lastPaged), endpoint};
        if (jdbc.update("update watchdog_state set last_check = ?, failures = ?, incident_open = ?, last_paged = ?"
                + " where endpoint = ?", args) == 0) {
            jdbc.update("insert into watchdog_state (last_check, failures, incident_open, last_paged, endpoint)"
                    + " values (?, ?, ?, ?, ?)", args);
        }
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime at(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    private String record(Endpoint e, State s, HealthProbe.Result r, Instant now) {
        s.lastCheck = now;
        String key = "EndpointDown/" + e.name();
        if (r.up()) {
            int was = s.failures;
            s.failures = 0;
            if (s.open) {
                s.open = false;
                resolve(key, e.name() + " is healthy again (" + e.url() + " answered " + r.status() + " in " + r.latencyMs() + " ms)");
                return e.name() + ": recovered";
            }
            return e.name() + ": up" + (was > 0 ? " after " + was + " failure(s)" : "");
        }
        s.failures++;
        if (s.failures < e.failuresBeforeAlert() || s.open) {
            return e.name() + ": down (" + s.failures + " consecutive): " + r.error();
        }
        if (s.failures == e.failuresBeforeAlert()) {
            restart(e);
        }
        if (s.lastPaged != null && now.isBefore(s.lastPaged.plus(repeatInterval))) {
            LOG.warn("{} down again ({}), not paged: last page {} is within the repeat interval", e.name(), r.error(), s.lastPaged);
            return e.name() + ": down, page suppressed (flapping)";
        }
        s.open = true;
        s.lastPaged = now;
        String detail = e.url() + " failed " + s.failures + " consecutive checks; last: " + r.error()
                + (e.restartHook() == null ? "" : "; restart hook called");
        IncidentRaiser raiser = incidents.get();
        if (raiser == null) {
            LOG.error("No incident service bound: {} is down: {}", e.name(), detail);
        } else {
            raiser.raise(key, e.priority(), e.name() + " is down", detail, Map.of("endpoint", e.name(), "source", "watchdog"));
        }
        return e.name() + ": down, incident opened";
    }

    private void resolve(String key, String detail) {
        IncidentRaiser raiser = incidents.get();
        if (raiser != null) {
            raiser.resolve(key, detail);
        }
        LOG.info("{}", detail);
    }

    private void restart(Endpoint e) {
        if (e.restartHook() == null) {
            return;
        }
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            plan.get().wouldDo("http", "POST " + shown(e.restartHook()) + " (restart hook of " + e.name() + ")");
            return;
        }
        try {
            HttpResponse<Void> r = Hooks.CLIENT.send(HttpRequest.newBuilder(URI.create(e.restartHook())).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            LOG.warn("Restart hook of {} called: HTTP {}", e.name(), r.statusCode());
        } catch (Exception ex) {
            LOG.error("Restart hook of {} failed: {}", e.name(), ex.getMessage());
        }
    }

    /** A URL as a plan shows it: without user info and with its query (which may hold a token) cut to "?…". */
    static String shown(String url) {
        try {
            URI u = URI.create(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
                    + (u.getRawQuery() == null ? "" : "?…");
        } catch (IllegalArgumentException | java.net.URISyntaxException ex) {
            return "(invalid URL)";
        }
    }

    void close() {
        probes.shutdownNow();
    }
}
