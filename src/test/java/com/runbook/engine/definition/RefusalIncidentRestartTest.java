package com.runbook.engine.definition;

import com.runbook.engine.incident.RefusedFilesAlarm;


import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refusal incident ({@code RunbookRefused/<file>}) left open when the engine stopped is resolved at the next start
 * once its file is gone or applies, and stays open while the file is still refused.
 */
@Tag("db")
class RefusalIncidentRestartTest {
    @TempDir
    Path dir;

    /** A scheduled job that passes the parse and fails when Camel builds it, and its schedule. */
    private static void brokenScheduledJob(Path base, String id) throws Exception {
        Files.writeString(base.resolve("routes/" + id + ".camel.yaml"), RunbookSetTest.broken(id));
        Files.writeString(base.resolve("schedules/" + id + ".yaml"), "job: " + id + "\nevery: 1h\n");
    }

    private static Map<String, String> refusalIncidents(Engine engine) throws Exception {
        Map<String, String> byFile = new TreeMap<>();
        for (JsonNode i : TestEngine.incidents(engine, RefusedFilesAlarm.KEY)) {
            byFile.put(i.get("key").asText().substring(RefusedFilesAlarm.KEY.length()), i.get("status").asText());
        }
        return byFile;
    }

    @Test
    void incidentsOfFilesDeletedOrFixedWhileTheEngineWasDownAreResolvedAtStart() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        brokenScheduledJob(base, "gone-job");
        brokenScheduledJob(base, "fixed-job");
        brokenScheduledJob(base, "still-broken");
        Map<String, String> db = TestEngine.databaseProperties();   // the same database for both starts
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), db)) {
            assertThat(refusalIncidents(engine)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "routes/gone-job.camel.yaml", "open", "schedules/gone-job.yaml", "open",
                    "routes/fixed-job.camel.yaml", "open", "schedules/fixed-job.yaml", "open",
                    "routes/still-broken.camel.yaml", "open", "schedules/still-broken.yaml", "open"));
        }
        // while the engine is down: one job deleted with its schedule, one fixed
        Files.delete(base.resolve("routes/gone-job.camel.yaml"));
        Files.delete(base.resolve("schedules/gone-job.yaml"));
        Files.writeString(base.resolve("routes/fixed-job.camel.yaml"),
                RunbookSetTest.broken("fixed-job").replace("${header.note\"", "${header.note}\""));
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), db)) {
            assertThat(engine.runbooks().refusedFiles()).containsExactlyInAnyOrder(
                    "routes/still-broken.camel.yaml", "schedules/still-broken.yaml");
            assertThat(refusalIncidents(engine)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "routes/gone-job.camel.yaml", "resolved", "schedules/gone-job.yaml", "resolved",
                    "routes/fixed-job.camel.yaml", "resolved", "schedules/fixed-job.yaml", "resolved",
                    "routes/still-broken.camel.yaml", "open", "schedules/still-broken.yaml", "open"));
        }
    }
}
