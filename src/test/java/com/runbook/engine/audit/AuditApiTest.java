package com.runbook.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /api/audit with its filters, and GET /api/audit/verify, on a real engine. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    Engine engine;
    final Instant now = Instant.now();
    final Instant threeDaysAgo = now.minus(Duration.ofDays(3));

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
        record(threeDaysAgo, new AuditEntry(AuditAction.TOKEN_CREATED, Actor.BOOTSTRAP, null, "token alice",
                Map.of("name", "alice", "role", "operator")));
        record(now, new AuditEntry(AuditAction.RUN_STARTED, Actor.token("alice", Role.OPERATOR), "nightly-backup",
                "run 1", Map.of("dryRun", false)));
        record(now, new AuditEntry(AuditAction.RUN_STARTED, Actor.schedule("alice"), "daily-pnl", "run 2",
                Map.of("dryRun", false)));
        record(now, new AuditEntry(AuditAction.INCIDENT_ACKNOWLEDGED, Actor.token("bob", Role.OPERATOR), "nightly-backup",
                "incident 7", Map.of("note", "on it")));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    /** Records {@code entry} as committed at {@code at}, in a transaction on the engine's database. */
    void record(Instant at, AuditEntry entry) {
        DataSource db = engine.context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        new TransactionTemplate(new DataSourceTransactionManager(db)).executeWithoutResult(s ->
                new AuditTrail(db, Clock.fixed(at, ZoneOffset.UTC)).record(entry));
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> response = TestEngine.get(engine, path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    List<String> subjects(String path) throws Exception {
        List<String> subjects = new ArrayList<>();
        get(path).forEach(e -> subjects.add(e.get("subject").asText()));
        return subjects;
    }

    @Test
    void entriesNewestFirstWithTheirChain() throws Exception {
        JsonNode entries = get("/api/audit");
        assertThat(entries).hasSize(4);
        JsonNode newest = entries.get(0);
        assertThat(newest.get("seq").asLong()).isEqualTo(4);
        assertThat(newest.get("at").asText()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        assertThat(newest.get("actor").asText()).isEqualTo("token:bob");
        assertThat(newest.get("action").asText()).isEqualTo("incident.acknowledged");
        assertThat(newest.get("job").asText()).isEqualTo("nightly-backup");
        assertThat(newest.get("subject").asText()).isEqualTo("incident 7");
        assertThat(newest.get("detail")).isEqualTo(JSON.readTree("{\"note\": \"on it\"}"));
        assertThat(newest.get("prevHash").asText()).isEqualTo(entries.get(1).get("hash").asText());
        assertThat(entries.get(3).get("prevHash").asText()).isEqualTo(AuditChain.GENESIS);
        List<String> fields = new ArrayList<>();
        newest.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("seq", "at", "actor", "action", "job", "subject", "detail", "prevHash", "hash");
    }

    @Test
    void filters() throws Exception {
        assertThat(subjects("/api/audit?actor=token:alice")).containsExactly("run 1");
        assertThat(subjects("/api/audit?actor=alice")).containsExactly("run 2", "run 1");
        assertThat(subjects("/api/audit?actor=bootstrap")).containsExactly("token alice");
        assertThat(subjects("/api/audit?job=nightly-backup")).containsExactly("incident 7", "run 1");
        assertThat(subjects("/api/audit?action=run.started")).containsExactly("run 2", "run 1");
        assertThat(subjects("/api/audit?since=24h")).containsExactly("incident 7", "run 2", "run 1");
        assertThat(subjects("/api/audit?since=" + threeDaysAgo.minusSeconds(1))).hasSize(4);
        assertThat(subjects("/api/audit?since=" + threeDaysAgo.plusSeconds(1))).hasSize(3);
        assertThat(subjects("/api/audit?limit=2")).containsExactly("incident 7", "run 2");
        assertThat(subjects("/api/audit?actor=alice&job=daily-pnl&action=run.started&since=1d")).containsExactly("run 2");
        assertThat(subjects("/api/audit?actor=nobody")).isEmpty();
    }

    void assertRefused(String path, String message) throws Exception {
        HttpResponse<String> response = TestEngine.get(engine, path);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(message);
    }

    @Test
    void aMalformedSinceIsRefused() throws Exception {
        assertRefused("/api/audit?since=yesterday", "since must be an ISO-8601 instant (2026-12-06T14:00:00Z) or a"
                + " duration (30m, 24h, 7d), not 'yesterday'");
    }

    @Test
    void anUnknownActionIsRefused() throws Exception {
        assertRefused("/api/audit?action=run.stopped", "action must be one of run.started, incident.acknowledged,"
                + " trading.halted, trading.resumed, dns.changed, dns.rolled-back, page.retried, token.created,"
                + " token.revoked, reload.applied, reload.refused, not 'run.stopped'");
    }

    @Test
    void aLimitOutOfRangeIsRefused() throws Exception {
        assertRefused("/api/audit?limit=0", "limit must be between 1 and 1000, not 0");
        assertRefused("/api/audit?limit=many", "limit must be a number, not 'many'");
    }

    @Test
    void readingNeedsAToken() throws Exception {
        assertThat(TestEngine.get(engine, "/api/audit", null).statusCode()).isEqualTo(401);
        assertThat(TestEngine.get(engine, "/api/audit/verify", null).statusCode()).isEqualTo(401);
    }

    @Test
    void verifyAnIntactTrail() throws Exception {
        JsonNode verdict = get("/api/audit/verify");
        assertThat(verdict).isEqualTo(JSON.readTree("{\"ok\": true, \"entries\": 4, \"head\": \""
                + get("/api/audit?limit=1").get(0).get("hash").asText() + "\"}"));
    }
}
