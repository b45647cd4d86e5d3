package com.runbook.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * runbook.audit.anchor: each finished day's final hash goes to the backup object store, and verify finds a trail
 * rewritten as a whole (every hash and the head recomputed), which the chain alone cannot.
 */
@Tag("db")
class AuditAnchorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    Engine engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    DataSource db() {
        return engine.context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    void record(Instant at, String subject) {
        new TransactionTemplate(new DataSourceTransactionManager(db())).executeWithoutResult(s ->
                new AuditTrail(db(), Clock.fixed(at, ZoneOffset.UTC)).record(new AuditEntry(AuditAction.TRADING_HALTED,
                        Actor.token("alice", Role.ADMIN), "emergency-stop", subject, Map.of("reason", "drill"))));
    }

    JsonNode verify() throws Exception {
        return JSON.readTree(TestEngine.get(engine, "/api/audit/verify").body());
    }

    @Test
    void aRewrittenTrailIsFoundByTheDailyAnchors() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        Path objects = dir.resolve("objects");
        engine = TestEngine.start(base, dir.resolve("data"), Map.of("runbook.audit.anchor", "true",
                "runbook.audit.anchor.every", "200ms", "runbook.backup.local.root", objects.toString()));
        Instant threeDaysAgo = Instant.now().minus(Duration.ofDays(3));
        LocalDate day = LocalDate.ofInstant(threeDaysAgo, ZoneOffset.UTC);
        record(threeDaysAgo, "trading halt 1");
        record(threeDaysAgo.plusMillis(1), "trading halt 2");
        record(Instant.now(), "trading halt 3");
        // the days before today, from the first entry's, each anchored once
        Path first = objects.resolve(AuditAnchors.key(day));
        Path yesterday = objects.resolve(AuditAnchors.key(day.plusDays(2)));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(yesterday));
        assertThat(objects.resolve(AuditAnchors.key(day.plusDays(3)))).doesNotExist();
        JdbcTemplate jdbc = new JdbcTemplate(db());
        String hash2 = jdbc.queryForObject("select hash from audit_entry where seq = 2", String.class);
        assertThat(JSON.readTree(Files.readString(first))).isEqualTo(JSON.readTree(
                "{\"day\": \"" + day + "\", \"seq\": 2, \"hash\": \"" + hash2 + "\"}"));
        assertThat(verify()).isEqualTo(JSON.readTree("{\"ok\": true, \"entries\": 3, \"head\": \""
                + jdbc.queryForObject("select hash from audit_head", String.class) + "\", \"anchors\": 3}"));

        // whoever can write the database rewrites entry 1, then recomputes every hash after it and the head
        jdbc.update("update audit_entry set detail = '{\"reason\":\"nothing to see\"}' where seq = 1");
        String prev = AuditChain.GENESIS;
        for (Map<String, Object> row : jdbc.queryForList("select * from audit_entry order by seq")) {
            String hash = AuditChain.hash(jdbc.queryForObject("select at from audit_entry where seq = ?",
                            OffsetDateTime.class, row.get("seq")).toInstant(), (String) row.get("actor"),
                    (String) row.get("action"), (String) row.get("job"), (String) row.get("subject"),
                    (String) row.get("detail"), prev);
            jdbc.update("update audit_entry set prev_hash = ?, hash = ? where seq = ?", prev, hash, row.get("seq"));
            prev = hash;
        }
        jdbc.update("update audit_head set hash = ?", prev);
        assertThat(new AuditVerifier(db()).verify().ok()).as("the chain alone").isTrue();

        JsonNode verdict = verify();
        assertThat(verdict.get("ok").asBoolean()).isFalse();
        assertThat(verdict.get("problem")).isEqualTo(JSON.readTree("{\"seq\": 2, \"kind\": \"altered\", \"message\":"
                + JSON.writeValueAsString("entry 2 was altered: its hash is not the one anchored on " + day + " ("
                + first + "): the trail was rewritten") + "}"));
        assertThat(List.of(verdict.get("entries").asLong(), verdict.get("anchors").asLong())).containsExactly(3L, 3L);
    }

    @Test
    void withoutAnchoringNothingIsWritten() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        Path objects = dir.resolve("objects");
        engine = TestEngine.start(base, dir.resolve("data"), Map.of("runbook.backup.local.root", objects.toString()));
        record(Instant.now().minus(Duration.ofDays(3)), "trading halt 1");
        assertThat(verify().has("anchors")).isFalse();
        assertThat(objects.resolve("audit-anchors")).doesNotExist();
    }
}
