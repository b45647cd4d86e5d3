package com.runbook.engine.dns;

import com.runbook.engine.ShippedSettings;
import com.runbook.engine.core.RunTrigger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.FakeHealth;
import com.runbook.engine.Neighbours;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The failover runbook on the shipped routes, against a real BIND and local health endpoints; incidents through the
 * real incident service (GET /api/incidents), notices through the real outbox to GreenMail and a local Telegram API.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsFailoverTest {
    static final String PRIMARY = "192.0.2.10";
    static final String BACKUP = "198.51.100.20";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    String secret = BindServer.newSecret();
    BindServer bind;
    BindServer stale;
    FakeHealth health;
    Engine engine;
    Rfc2136Provider direct;
    Neighbours neighbours;
    long mark;
    Map<String, String> props;

    @BeforeAll
    void start() throws Exception {
        bind = BindServer.start(dir.resolve("bind"), "example.test", "app IN A " + PRIMARY + "\n", secret);
        stale = BindServer.start(dir.resolve("stale"), "example.test", "app IN A " + PRIMARY + "\n", null);
        health = new FakeHealth();
        neighbours = new Neighbours();
        props = neighbours.engineProperties(bind.failoverProperties(PRIMARY, BACKUP, health));
        props.putAll(Map.of("runbook.dns.provider", "rfc2136", "runbook.dns.health-passes", "3", "runbook.dns.verify-timeout", "2s"));
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), props);
        direct = new Rfc2136Provider(bind.address(), "example.test", BindServer.KEY_NAME, "hmac-sha256", secret, Duration.ofSeconds(5));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        bind.close();
        stale.close();
        health.close();
        neighbours.close();
    }

    @BeforeEach
    void reset() throws Exception {
        DnsRecord now = direct.read("app.example.test", "A").orElseThrow();
        direct.replace(now, now.withValue(PRIMARY, 300));
        new JdbcTemplate(engine.dataSource()).update("delete from dns_change");
        health.reset();
        TestEngine.awaitOutboxDelivered(engine);
        mark = TestEngine.lastQueued(engine);
        neighbours.reset();
    }

    String served() {
        return String.join(",", DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2)));
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    List<Map<String, Object>> changes() {
        return new DnsChangeStore(engine.dataSource()).list(10);
    }

    @Test
    void swapsToTheBackupVerifiesRecordsNotifiesAndRollsBack() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("outcome").asText()).isEqualTo("applied");
        assertThat(body.get("message").asText()).isEqualTo("app.example.test. A changed from " + PRIMARY + " to " + BACKUP
                + " (backup) by api, verified at " + bind.hostPort());
        assertThat(served()).isEqualTo(BACKUP);
        assertThat(health.hits("/backup/health")).isEqualTo(3);
        Map<String, Object> row = changes().get(0);
        assertThat(row).containsEntry("action", "failover").containsEntry("outcome", "applied").containsEntry("oldValue", PRIMARY)
                .containsEntry("newValue", BACKUP).containsEntry("ttl", 300L).containsEntry("triggeredBy", "api")
                .containsEntry("provider", "rfc2136").containsEntry("target", "backup");
        assertThat(row.get("verifyMs")).isNotNull();
        String subject = "DNS failover: app.example.test. -> " + BACKUP;
        assertThat(TestEngine.queuedAfter(engine, mark)).extracting(m -> m.get("channel") + " " + m.get("subject"))
                .containsExactly("email " + subject, "telegram " + subject);
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(subject).size() == 1
                && neighbours.telegram.textsTo(Neighbours.CHAT).contains(subject + "\n\n" + body.get("message").asText()));
        assertThat(Neighbours.text(neighbours.mails(subject).get(0)).trim()).isEqualTo(body.get("message").asText());

        HttpResponse<String> back = post(engine, "/api/runbooks/dns-rollback", TOKEN, "");
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(json(back).get("outcome").asText()).isEqualTo("applied");
        assertThat(json(back).get("rollsBack").asLong()).isEqualTo((Long) row.get("id"));
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes().get(0)).containsEntry("action", "rollback").containsEntry("newValue", PRIMARY);
        JsonNode history = json(get(engine, "/api/dns/changes?limit=2"));
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("action").asText()).isEqualTo("rollback");
        assertThat(history.get(1).get("id").asLong()).isEqualTo((Long) row.get("id"));
        assertThat(json(get(engine, "/api/dns/changes?limit=0")).get("error").asText())
                .isEqualTo("limit must be a number between 1 and 1000, not '0'");
    }

    @Test
    void anUnhealthyTargetIsRefusedAndNothingChanges() throws Exception {
        health.set("/backup/health", 503);
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(json(r).get("error").asText()).isEqualTo("refused: target 'backup' is unhealthy: "
                + health.url("/backup/health") + " answered 503 (check 1 of 3); nothing was changed");
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes()).singleElement().satisfies(c -> assertThat(c).containsEntry("outcome", "refused"));
        assertThat(TestEngine.queuedAfter(engine, mark)).isEmpty();
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\",\"dryRun\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("outcome").asText()).isEqualTo("plan");
        assertThat(json(r).get("message").asText()).isEqualTo("would change app.example.test. A from " + PRIMARY + " to "
                + BACKUP + " (TTL 300), then verify at " + bind.hostPort());
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes()).isEmpty();
    }

    @Test
    void aSecondSwapWithinTheCooldownIsRefusedUnlessForced() throws Exception {
        assertThat(post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> again = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"primary\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("error").asText()).matches("refused: app\\.example\\.test\\. A was changed \\d+ s ago"
                + " \\(dns_change \\d+\\); the cooldown is 600 s: pass force=true to swap anyway");
        assertThat(served()).isEqualTo(BACKUP);
        HttpResponse<String> forced = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"primary\",\"force\":true}");
        assertThat(forced.statusCode()).isEqualTo(200);
        assertThat(served()).isEqualTo(PRIMARY);
    }

    @Test
    void aSwapToTheCurrentValueIsARecordedNoOp() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"primary\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("outcome").asText()).isEqualTo("no-op");
        assertThat(changes()).singleElement().satisfies(c -> assertThat(c).containsEntry("outcome", "no-op"));
        assertThat(health.hits("/primary/health")).isZero();
        assertThat(TestEngine.queuedAfter(engine, mark)).isEmpty();
    }

    @Test
    void badInputGets400WithEveryProblemAndChangesNothing() throws Exception {
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"dryRun\":\"yes\",\"colour\":1}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("'target' is required: the name of a configured target; "
                + "'dryRun' must be true or false, not \"yes\"; unknown field 'colour' (expected target, dryRun, force)");
        HttpResponse<String> unknown = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"mars\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown target 'mars' (configured: primary, backup)");
        assertThat(post(engine, "/api/runbooks/dns-failover", null, "{\"target\":\"backup\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> nothing = post(engine, "/api/runbooks/dns-rollback", TOKEN, "");
        assertThat(nothing.statusCode()).isEqualTo(409);
        assertThat(json(nothing).get("error").asText()).isEqualTo("nothing to roll back: no change of app.example.test. A was ever applied");
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes()).isEmpty();
    }

    @Test
    void theTsigSecretNeverAppearsInTheLogOrTheApi() throws Exception {
        post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\",\"dryRun\":true}");
        assertThat(java.nio.file.Files.readString(Path.of("target/test-engine.log"))).contains("Runbook Engine ready").doesNotContain(secret);
        assertThat(get(engine, "/api/dns/changes").body()).doesNotContain(secret);
    }

    @Test
    void anAlertRunsTheJobWithItsParametersAsHeaders() throws Exception {
        long run = engine.runner().start("dns-failover", RunTrigger.ALERT, Map.of("target", "backup"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().json().get("status")));
        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
        assertThat(served()).isEqualTo(BACKUP);
        assertThat(changes().get(0)).containsEntry("triggeredBy", "alert").containsEntry("outcome", "applied");
    }

    @Test
    void aChangeTheAuthoritativeServerNeverShowsIsRolledBackWithAP1() throws Exception {
        Map<String, String> p = new HashMap<>(props);
        p.put("runbook.dns.verify-server", stale.hostPort()); // answers the old value whatever happens
        DnsFailover failover = new DnsFailover(DnsConfig.from(ShippedSettings.with(p)), direct, new DnsChangeStore(engine.dataSource()),
                engine::incidents, engine::notifier);
        assertThatThrownBy(() -> failover.failover("backup", false, false, "test"))
                .isInstanceOf(DnsException.class)
                .hasMessage("DNS failover of app.example.test. could not be verified: " + stale.hostPort() + " still answered "
                        + PRIMARY + " instead of " + BACKUP + " after 2 s; rolled back to " + PRIMARY);
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes().get(0)).containsEntry("outcome", "rolled-back");
        JsonNode incident = TestEngine.incidents(engine, "DnsChangeNotVerified/").get(0);
        assertThat(TestEngine.incidents(engine, "DnsChangeNotVerified/")).hasSize(1);
        assertThat(incident.get("key").asText()).isEqualTo("DnsChangeNotVerified/app.example.test.");
        assertThat(incident.get("priority").asText()).isEqualTo("P1");
        assertThat(incident.get("status").asText()).isEqualTo("open");
        String page = "[P1] DNS failover of app.example.test. could not be verified (#" + incident.get("id").asLong() + ")";
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(page).size() == 1
                && neighbours.telegram.textsTo(Neighbours.CHAT).stream().anyMatch(t -> t.startsWith(page))
                && neighbours.pubsub.on("incident-notifications").stream().anyMatch(m -> m.getData().toStringUtf8().contains(page)));
    }
}
