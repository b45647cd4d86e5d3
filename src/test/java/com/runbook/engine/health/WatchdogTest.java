package com.runbook.engine.health;

import com.runbook.engine.ShippedSettings;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.incident.Incident;
import com.runbook.engine.incident.IncidentService;
import com.runbook.engine.incident.MaintenanceWindows;
import com.runbook.engine.incident.Priority;
import com.runbook.engine.incident.ShippedPolicy;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The watchdog's state machine against a local HTTP endpoint, with the clock passed in, raising and resolving through
 * the real incident service (in-memory H2; its pages are not what this test is about).
 */
class WatchdogTest {
    FakeHealth server;
    HikariDataSource db;
    IncidentService incidents;
    Watchdog watchdog;
    Instant t = Instant.parse("2026-01-05T10:00:00Z");

    @BeforeEach
    void start() throws Exception {
        server = new FakeHealth();
        db = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        Notifier noPages = (channel, recipient, subject, body, key, headers) -> 0;
        incidents = new IncidentService(db, () -> noPages, ShippedPolicy.with(Map.of()), new MaintenanceWindows(List::of),
                Clock.systemUTC(), entry -> { });   // acknowledges nothing
        Map<String, String> p = new HashMap<>(Map.of("runbook.watchdog.endpoints", "api",
                "runbook.watchdog.endpoint.api.url", server.url("/health"),
                "runbook.watchdog.endpoint.api.timeout", "300ms",
                "runbook.watchdog.endpoint.api.restart-hook", server.url("/restart"),
                "runbook.watchdog.repeat-interval", "30m"));
        watchdog = Watchdog.fromConfig(ShippedSettings.with(p), () -> incidents, db);
    }

    @AfterEach
    void stop() {
        server.close();
        watchdog.close();
        db.close();
    }

    /** The incidents of the endpoint, oldest first, as "priority status key". */
    List<String> incidents() {
        List<String> newestFirst = new ArrayList<>(incidents.list(null, null, 100).stream()
                .map(i -> i.priority() + " " + i.status().stored() + " " + i.key()).toList());
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    List<String> tick() {
        t = t.plusSeconds(15);
        return watchdog.tickAt(t);
    }

    @Test
    void threeConsecutiveFailuresOpenOneIncidentAndCallTheRestartHookRecoveryResolves() {
        assertThat(tick()).containsExactly("api: up");
        server.set("/health", 503);
        assertThat(tick()).containsExactly("api: down (1 consecutive): answered 503");
        server.delay("/health", 1000);
        assertThat(tick()).containsExactly("api: down (2 consecutive): timed out after 300 ms");
        assertThat(incidents()).isEmpty();
        assertThat(tick()).containsExactly("api: down, incident opened");
        assertThat(tick()).containsExactly("api: down (4 consecutive): timed out after 300 ms");
        assertThat(incidents.list(true, null, 100)).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo("EndpointDown/api");
            assertThat(i.priority()).isEqualTo(Priority.P2);
            assertThat(i.status()).isEqualTo(Incident.Status.OPEN);
            assertThat(i.title()).isEqualTo("api is down");
            assertThat(i.detail()).isEqualTo(server.url("/health") + " failed 3 consecutive checks; last: timed out after 300 ms; restart hook called");
        });
        assertThat(server.hits("/restart")).isEqualTo(1);
        server.reset();
        assertThat(tick()).containsExactly("api: recovered");
        assertThat(incidents()).containsExactly("P2 resolved EndpointDown/api");
    }

    @Test
    void aDryRunTickProbesButKeepsNoStatePlansTheRestartHookAndLeavesTheIncidentToTheIncidentService() throws Exception {
        server.set("/health", 503);
        tick();
        tick();
        Map<String, java.util.List<String>> state = com.runbook.engine.TableSnapshot.of(db, java.util.Set.of());
        com.runbook.engine.core.DryRun plan = new com.runbook.engine.core.DryRun(7);
        com.runbook.engine.core.DryRun.enter(plan);
        List<String> lines;
        try {
            lines = tick();
        } finally {
            com.runbook.engine.core.DryRun.enter(null);
        }

        Map<String, java.util.List<String>> afterDry = com.runbook.engine.TableSnapshot.of(db, java.util.Set.of());
        assertThat(lines).containsExactly("api: down, incident opened");
        assertThat(afterDry.get("watchdog_state")).isEqualTo(state.get("watchdog_state"));
        assertThat(server.hits("/health")).isEqualTo(3);
        assertThat(server.hits("/restart")).isZero();
        assertThat(plan.effects()).first().isEqualTo(new com.runbook.engine.core.DryRun.Effect("http",
                "POST " + server.url("/restart") + " (restart hook of api)"));
        // the next real tick is the third failure still: the dry run kept no state
        assertThat(watchdog.tickAt(t.plusSeconds(15))).containsExactly("api: down, incident opened");
        assertThat(server.hits("/restart")).isEqualTo(1);
        // the dry-run module's part: its incident service plans the raise, so the dry run opened nothing and
        // left the tables as they were
        assertThat(plan.effects()).hasSize(2);
        assertThat(afterDry).isEqualTo(state);
    }

    @Test
    void aPlanShowsARestartHookWithoutItsUserInfoOrQuery() {
        assertThat(Watchdog.shown("https://ops:secret@hooks.example.com:8443/restart/api?token=abc"))
                .isEqualTo("https://hooks.example.com:8443/restart/api?…");
        assertThat(Watchdog.shown("http://127.0.0.1:9000/restart")).isEqualTo("http://127.0.0.1:9000/restart");
        assertThat(Watchdog.shown("not a url at all")).isEqualTo("(invalid URL)");
    }

    @Test
    void aFlappingEndpointIsPagedOncePerRepeatInterval() {
        for (int round = 0; round < 3; round++) {
            server.set("/health", 500);
            tick();
            tick();
            tick();
            server.reset();
            tick();
        }
        assertThat(incidents()).containsExactly("P2 resolved EndpointDown/api");
        t = t.plusSeconds(1800);
        server.set("/health", 500);
        tick();
        tick();
        assertThat(tick()).containsExactly("api: down, incident opened");
        assertThat(incidents()).containsExactly("P2 resolved EndpointDown/api", "P2 open EndpointDown/api");
    }

    @Test
    void anEndpointIsOnlyProbedWhenItsIntervalIsDue() {
        watchdog.tickAt(t);
        assertThat(watchdog.tickAt(t.plusSeconds(5))).isEmpty();
        assertThat(watchdog.tickAt(t.plusSeconds(15))).containsExactly("api: up");
        assertThat(server.hits("/health")).isEqualTo(2);
    }

    @Test
    void theConsecutiveFailuresLiveInTheDatabaseSoTheWatchdogOfAnotherNodeCarriesOn() {
        server.set("/health", 503);
        assertThat(tick()).containsExactly("api: down (1 consecutive): answered 503");
        assertThat(tick()).containsExactly("api: down (2 consecutive): answered 503");
        // the next fire runs on another node: a watchdog of its own on the same database
        Map<String, String> p = Map.of("runbook.watchdog.endpoints", "api", "runbook.watchdog.endpoint.api.url",
                server.url("/health"), "runbook.watchdog.endpoint.api.timeout", "300ms",
                "runbook.watchdog.endpoint.api.restart-hook", server.url("/restart"));
        Watchdog other = Watchdog.fromConfig(ShippedSettings.with(p), () -> incidents, db);
        t = t.plusSeconds(15);
        assertThat(other.tickAt(t)).containsExactly("api: down, incident opened");
        assertThat(incidents()).containsExactly("P2 open EndpointDown/api");
        server.reset();
        assertThat(tick()).containsExactly("api: recovered");
        assertThat(incidents()).containsExactly("P2 resolved EndpointDown/api");
        other.close();
    }

    @Test
    void hasWorkOnlyWhenAnEndpointIsDueOrNoneIsConfigured() {
        Watchdog none = Watchdog.fromConfig(ShippedSettings.with(Map.<String, String>of()), () -> incidents, db);
        assertThat(none.hasWork()).isFalse();
        none.close();
        assertThat(watchdog.hasWork()).as("never probed").isTrue();
        watchdog.tickAt(Instant.now());
        assertThat(watchdog.hasWork()).as("probed just now, interval 15 s").isFalse();
    }

    @Test
    void aMisconfiguredWatchdogListsEveryProblem() {
        Watchdog bad = Watchdog.fromConfig(ShippedSettings.with(Map.of("runbook.watchdog.endpoints", "a,b", "runbook.watchdog.endpoint.a.url", "http://x",
                "runbook.watchdog.endpoint.a.interval", "often", "runbook.watchdog.endpoint.b.failures-before-alert", "0")), () -> incidents, db);
        assertThat(bad.hasWork()).as("a misconfigured watchdog runs, to fail visibly").isTrue();
        assertThatThrownBy(bad::tick).hasMessage("the watchdog is misconfigured: runbook.watchdog.endpoint.a.interval: invalid duration"
                + " 'often' (use e.g. 500ms, 15s, 5m, 2h, 1d); runbook.watchdog.endpoint.b.url is not set;"
                + " runbook.watchdog.endpoint.b.failures-before-alert must be at least 1, not 0");
        bad.close();
    }
}
