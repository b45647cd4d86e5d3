package com.runbook.engine.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.RecordingAudit;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.RunRecord;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.text.Text;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's parameters are stored as JSON within the column's 4,000 characters, and read back as they were stored. */
@Tag("db")
class RunStoreTest {
    HikariDataSource ds;
    RunStore store;
    final RecordingAudit audit = new RecordingAudit();

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        store = new RunStore(ds, audit);
    }

    @AfterEach
    void tearDown() {
        store.close();
        ds.close();
    }

    private RunRecord stored(Map<String, String> params) {
        long id = store.start("echo", "manual", "n", RunStatus.RUNNING, null, null, null, params, Actor.engine("test"));
        return store.find(id).orElseThrow();
    }

    private String column(long id) {
        return new JdbcTemplate(ds).queryForObject("select params from job_run where id = ?", String.class, id);
    }

    @Test
    void timesAreUtcInstantsWithTheirSecondsEvenOnTheMinute() {
        assertThat(RunStore.iso(java.time.OffsetDateTime.parse("2026-12-06T14:50:00-05:00"))).isEqualTo("2026-12-06T19:50:00Z");
        assertThat(RunStore.iso(java.time.OffsetDateTime.parse("2026-12-06T19:50:01.250Z"))).isEqualTo("2026-12-06T19:50:01.250Z");
        assertThat(RunStore.iso(null)).isNull();
    }

    @Test
    void aLongValueIsCutNotTheJsonAroundIt() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("note", "x".repeat(10_000));
        params.put("region", "eu-west");
        params.put("quoted", "\"\\".repeat(1_500));   // each character doubles in JSON
        RunRecord run = stored(params);

        String json = column(run.id());
        assertThat(json.length()).isLessThanOrEqualTo(RunStore.MAX_TEXT);
        Map<String, Object> parsed = new ObjectMapper().readValue(json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(parsed).containsOnlyKeys("note", "region", "quoted");
        assertThat(run.params()).containsEntry("region", "eu-west").containsOnlyKeys("note", "region", "quoted");
        assertThat(run.params().get("note")).startsWith("xxx").endsWith(Text.MARK);
        assertThat(run.params().get("quoted")).startsWith("\"\\").endsWith(Text.MARK);
        assertThat(run.json()).containsEntry("params", run.params()).containsEntry("status", "running");
    }

    @Test
    void shortParametersAreStoredAsGiven() {
        assertThat(stored(Map.of("target", "backup", "dryRun", "true")).params())
                .isEqualTo(Map.of("target", "backup", "dryRun", "true"));
        assertThat(stored(Map.of()).params()).isEmpty();
    }

    @Test
    void tooManyParametersToFitAreDroppedFromTheEndAndCounted() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            params.put("parameter-" + i, "value-" + i);
        }
        RunRecord run = stored(params);
        String json = column(run.id());
        assertThat(json.length()).isLessThanOrEqualTo(RunStore.MAX_TEXT);
        assertThat(new ObjectMapper().readValue(json, Map.class)).isEqualTo(run.params());
        assertThat(run.params()).containsKey("parameter-0").containsKey(Text.DROPPED);
        assertThat(run.params().get(Text.DROPPED)).isEqualTo((400 - run.params().size() + 1) + " dropped");
    }
}
