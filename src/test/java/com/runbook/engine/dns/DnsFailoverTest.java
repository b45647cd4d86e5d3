package com.runbook.engine.dns;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.Actor;
import com.runbook.engine.ShippedSettings;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.Notifier;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

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
    final RecordingAudit audit = new RecordingAudit();

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

    /** The zone's SOA serial at BIND: every dynamic update of the zone increments it. */
    long serial() throws Exception {
        org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver(bind.address());
        org.xbill.DNS.Message answer = resolver.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString("example.test."), org.xbill.DNS.Type.SOA, org.xbill.DNS.DClass.IN)));
        return answer.getSection(org.xbill.DNS.Section.ANSWER).stream().filter(r -> r instanceof org.xbill.DNS.SOARecord)
                .map(r -> ((org.xbill.DNS.SOARecord) r).getSerial()).findFirst().orElseThrow();
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
                .isEqualTo("limit must be between 1 and 1000, not 0");
        // the change and the rollback each left their entry with their dns_change row, naming the caller of the door
        List<Map<String, Object>> entries = new JdbcTemplate(engine.dataSource()).queryForList("select action, actor, job,"
                + " subject from audit_entry where action in ('dns.changed', 'dns.rolled-back') order by seq desc fetch first 2 rows only");
        assertThat(entries).extracting(e -> e.get("action") + " " + e.get("actor") + " " + e.get("job") + " " + e.get("subject"))
                .containsExactly("dns.rolled-back token:bootstrap dns-rollback app.example.test. A",
                        "dns.changed token:bootstrap dns-failover app.example.test. A");
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

    /** The plan as the API shows it: "kind: effect" lines. */
    static List<String> lines(JsonNode plan) {
        List<String> lines = new ArrayList<>();
        plan.forEach(e -> lines.add(e.get("kind").asText() + ": " + e.get("effect").asText()));
        return lines;
    }

    /** What a notifier is asked to queue: "channel subject" lines (the outbox records them in a dry run's plan). */
    static final class Asked implements Notifier {
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Override
        public long enqueue(String channel, String recipient, String subject, String body, String key, Map<String, String> headers) {
            asked.add(channel + " " + subject);
            return asked.size();
        }
    }

    DnsFailover failoverWith(Notifier notifier) {
        return new DnsFailover(DnsConfig.from(ShippedSettings.with(props)), direct, new DnsChangeStore(engine.dataSource(), audit),
                engine::incidents, () -> notifier);
    }

    @Test
    void aRehearsedFailoverReadsAndChecksButOnlyRecordsTheChangeItsRowAndItsNotices() throws Exception {
        Asked notices = new Asked();
        DryRun plan = new DryRun(42);
        long serial = serial();
        Map<String, Object> result = plan.call(() -> failoverWith(notices).failover("backup", false, "dry-run"));
        assertThat(serial()).isEqualTo(serial);
        assertThat(result).containsEntry("outcome", "plan").containsEntry("message", "would change app.example.test. A from "
                + PRIMARY + " to " + BACKUP + " (TTL 300), then verify at " + bind.hostPort());
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes()).isEmpty();
        // the health check is a real read: the rehearsal refuses what the real swap refuses
        assertThat(health.hits("/backup/health")).isEqualTo(3);
        assertThat(plan.effects()).containsExactly(
                new DryRun.Effect("dns", "UPDATE record app.example.test. A " + PRIMARY + " -> " + BACKUP + " TTL 300 at " + bind.hostPort()),
                new DryRun.Effect("sql", "insert dns_change failover applied: app.example.test. A changed from " + PRIMARY + " to "
                        + BACKUP + " (backup) by dry-run, verified at " + bind.hostPort()));
        // the notices go to the notifier, which records them in the plan in a dry run (the outbox's part)
        String subject = "DNS failover: app.example.test. -> " + BACKUP;
        assertThat(notices.asked).containsExactly("email " + subject, "telegram " + subject);
    }

    @Test
    void aDryRunWhosePlanIsNotOnItsThreadFailsAndChangesNothing() {
        Asked notices = new Asked();
        assertThatThrownBy(() -> failoverWith(notices).run("backup", null, "dry-run")).isInstanceOf(DnsException.class)
                .hasMessage("a dry run reached dnsFailover without its plan: nothing was done");
        assertThatThrownBy(() -> failoverWith(notices).rollback("dry-run")).isInstanceOf(DnsException.class)
                .hasMessage("a dry run reached dnsFailover without its plan: nothing was done");
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes()).isEmpty();
        assertThat(health.hits("/backup/health")).isZero();
        assertThat(notices.asked).isEmpty();
    }

    @Test
    void aRehearsalRefusesWhatTheRealSwapRefusesWithTheSameMessageAndChangesNothing() throws Exception {
        health.set("/backup/health", 503);
        DryRun plan = new DryRun(43);
        Asked notices = new Asked();
        assertThatThrownBy(() -> plan.call(() -> failoverWith(notices).failover("backup", false, "dry-run")))
                .isInstanceOf(DnsException.class).hasMessage("refused: target 'backup' is unhealthy: "
                        + health.url("/backup/health") + " answered 503 (check 1 of 3); nothing was changed");
        assertThat(plan.effects()).extracting(DryRun.Effect::effect).containsExactly("insert dns_change failover refused: "
                + "refused: target 'backup' is unhealthy: " + health.url("/backup/health") + " answered 503 (check 1 of 3); nothing was changed");
        assertThat(changes()).isEmpty();
        assertThat(notices.asked).isEmpty();

        health.reset();
        assertThat(post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}").statusCode()).isEqualTo(200);
        int rows = changes().size();
        assertThatThrownBy(() -> new DryRun(44).call(() -> failoverWith(notices).failover("primary", false, "dry-run")))
                .isInstanceOf(DnsException.class).hasMessageMatching("refused: app\\.example\\.test\\. A was changed \\d+ s ago"
                        + " \\(dns_change \\d+\\); the cooldown is 600 s: pass force=true to swap anyway");
        assertThat(changes()).hasSize(rows);
        assertThat(served()).isEqualTo(BACKUP);
    }

    @Test
    void aRehearsedRollbackRecordsTheWayBackAndChangesNothing() throws Exception {
        assertThat(post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}").statusCode()).isEqualTo(200);
        int rows = changes().size();
        DryRun plan = new DryRun(45);
        Asked notices = new Asked();
        Map<String, Object> result = plan.call(() -> failoverWith(notices).rollback("dry-run"));
        assertThat(result).containsEntry("outcome", "plan");
        assertThat(plan.effects()).first().isEqualTo(new DryRun.Effect("dns", "UPDATE record app.example.test. A " + BACKUP
                + " -> " + PRIMARY + " TTL 300 at " + bind.hostPort()));
        assertThat(served()).isEqualTo(BACKUP);
        assertThat(changes()).hasSize(rows);
        assertThat(notices.asked).containsExactly("email DNS rollback: app.example.test. -> " + PRIMARY,
                "telegram DNS rollback: app.example.test. -> " + PRIMARY);
    }

    /**
     * The door's dryRun is a dry run of the runbook (trigger dry-run): BIND's zone, the outbox (so GreenMail and
     * Telegram) and the engine's tables but the run's own rows are as before, and its plan is what the real swap then
     * does. NEEDS h-b (the dry-run mechanism: the run's plan on its thread, the outbox recording notices, the plan in
     * GET /api/runs/{id}); on this branch alone the dry run is not a dry run yet.
     */
    @Test
    void aDryRunOfTheDoorChangesNothingAndItsPlanIsWhatTheRealSwapThenDoes() throws Exception {
        Map<String, List<String>> before = TableSnapshot.exceptRuns(engine.dataSource());
        long serial = serial();
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\",\"dryRun\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("outcome").asText()).isEqualTo("plan");
        assertThat(body.get("message").asText()).isEqualTo("would change app.example.test. A from " + PRIMARY + " to "
                + BACKUP + " (TTL 300), then verify at " + bind.hostPort());
        assertThat(body.get("dryRun").asBoolean()).isTrue();
        long runId = body.get("runId").asLong();
        assertThat(body.get("href").asText()).isEqualTo("/api/runs/" + runId);
        JsonNode run = json(get(engine, "/api/runs/" + runId));
        assertThat(run.get("trigger").asText()).isEqualTo("dry-run");
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(serial()).isEqualTo(serial);
        assertThat(changes()).isEmpty();
        assertThat(TestEngine.queuedAfter(engine, mark)).isEmpty();
        assertThat(TableSnapshot.exceptRuns(engine.dataSource())).isEqualTo(before);
        List<String> plan = lines(body.get("plan"));
        // the plan stored with the run (GET /api/runs/{id} shows it once the story branch's run detail is merged)
        assertThat(engine.runs().plan(runId)).extracting(e -> e.kind() + ": " + e.effect()).isEqualTo(plan);
        assertThat(plan).hasSize(4);

        HttpResponse<String> real = post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}");
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(serial()).isGreaterThan(serial);
        // what the real swap did, effect by effect, against the plan
        assertThat(plan.get(0)).isEqualTo("dns: UPDATE record app.example.test. A " + PRIMARY + " -> " + served() + " TTL 300 at "
                + bind.hostPort());
        Map<String, Object> row = changes().get(0);
        assertThat(plan.get(1)).isEqualTo("sql: insert dns_change " + row.get("action") + " " + row.get("outcome") + ": "
                + ((String) row.get("detail")).replace(" by api,", " by dry-run,"));
        List<Map<String, Object>> queued = TestEngine.queuedAfter(engine, mark);
        assertThat(queued).hasSize(2);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(plan.get(2 + i)).startsWith(queued.get(i).get("channel") + ": ").contains((String) queued.get(i).get("subject"));
        }
        // and the neighbours see what the dry run did not send
        String subject = "DNS failover: app.example.test. -> " + BACKUP;
        await().atMost(TestEngine.DELIVERY).until(() -> neighbours.mails(subject).size() == 1
                && neighbours.telegram.textsTo(Neighbours.CHAT).stream().anyMatch(t -> t.startsWith(subject)));
    }

    /**
     * A dry run of the rollback door puts nothing back, and its plan is the way back the real rollback then takes.
     * NEEDS h-b, as the test above.
     */
    @Test
    void aDryRunOfTheRollbackDoorChangesNothingAndItsPlanIsWhatTheRealRollbackThenDoes() throws Exception {
        assertThat(post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}").statusCode()).isEqualTo(200);
        TestEngine.awaitOutboxDelivered(engine);
        long queued = TestEngine.lastQueued(engine);
        Map<String, List<String>> before = TableSnapshot.exceptRuns(engine.dataSource());
        long serial = serial();
        HttpResponse<String> r = post(engine, "/api/runbooks/dns-rollback", TOKEN, "{\"dryRun\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("outcome").asText()).isEqualTo("plan");
        assertThat(body.get("dryRun").asBoolean()).isTrue();
        assertThat(served()).isEqualTo(BACKUP);
        assertThat(serial()).isEqualTo(serial);
        assertThat(TestEngine.queuedAfter(engine, queued)).isEmpty();
        assertThat(TableSnapshot.exceptRuns(engine.dataSource())).isEqualTo(before);
        List<String> plan = lines(body.get("plan"));

        HttpResponse<String> real = post(engine, "/api/runbooks/dns-rollback", TOKEN, "");
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(plan.get(0)).isEqualTo("dns: UPDATE record app.example.test. A " + BACKUP + " -> " + served() + " TTL 300 at "
                + bind.hostPort());
        Map<String, Object> row = changes().get(0);
        assertThat(plan.get(1)).isEqualTo("sql: insert dns_change " + row.get("action") + " " + row.get("outcome") + ": "
                + ((String) row.get("detail")).replace(" by api,", " by dry-run,"));
        List<Map<String, Object>> sent = TestEngine.queuedAfter(engine, queued);
        assertThat(plan).hasSize(2 + sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(plan.get(2 + i)).startsWith(sent.get(i).get("channel") + ": ").contains((String) sent.get(i).get("subject"));
        }
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
        assertThat(post(engine, "/api/runbooks/dns-failover", TOKEN, "{\"target\":\"backup\"}").statusCode()).isEqualTo(200);
        assertThat(java.nio.file.Files.readString(Path.of("target/test-engine.log"))).contains("Runbook Engine ready").doesNotContain(secret);
        assertThat(get(engine, "/api/dns/changes").body()).doesNotContain(secret);
    }

    @Test
    void anAlertRunsTheJobWithItsParametersAsHeaders() throws Exception {
        long run = engine.runner().start("dns-failover", RunTrigger.ALERT, Map.of("target", "backup"), Actor.engine("test"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !"running".equals(engine.runs().find(run).orElseThrow().json().get("status")));
        assertThat(engine.runs().find(run).orElseThrow().json()).containsEntry("status", "succeeded");
        assertThat(served()).isEqualTo(BACKUP);
        assertThat(changes().get(0)).containsEntry("triggeredBy", "alert").containsEntry("outcome", "applied");
    }

    @Test
    void aChangeTheAuthoritativeServerNeverShowsIsRolledBackWithAP1() throws Exception {
        Map<String, String> p = new HashMap<>(props);
        p.put("runbook.dns.verify-server", stale.hostPort()); // answers the old value whatever happens
        DnsFailover failover = new DnsFailover(DnsConfig.from(ShippedSettings.with(p)), direct, new DnsChangeStore(engine.dataSource(), audit),
                engine::incidents, engine::notifier);
        audit.committed.clear();
        assertThatThrownBy(() -> failover.failover("backup", false, "test"))
                .isInstanceOf(DnsException.class)
                .hasMessage("DNS failover of app.example.test. could not be verified: " + stale.hostPort() + " still answered "
                        + PRIMARY + " instead of " + BACKUP + " after 2 s; rolled back to " + PRIMARY);
        assertThat(served()).isEqualTo(PRIMARY);
        assertThat(changes().get(0)).containsEntry("outcome", "rolled-back");
        // the record was changed and changed back: the entry says both (outside a run: the engine's DNS part)
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.DNS_CHANGED);
            assertThat(e.actor().id()).isEqualTo("engine:dns");
            assertThat(e.subject()).isEqualTo("app.example.test. A");
            assertThat(e.detail()).containsEntry("outcome", "rolled-back").containsEntry("oldValue", PRIMARY)
                    .containsEntry("newValue", BACKUP).containsEntry("changeId", changes().get(0).get("id"));
        });
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
