package com.runbook.engine.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

/**
 * Two clustered engines in one JVM on the same PostgreSQL schema: a job due every second runs once per due time
 * across both, and keeps running when one node stops. Runs only with RUNBOOK_TEST_POSTGRES set.
 */
@Tag("db")
class ClusterTest {
    /** Check-in interval set in this test; production keeps Quartz's 7.5 s. */
    private static final Duration CHECKIN = Duration.ofSeconds(1);
    private static final Duration GRACE = Duration.ofMillis(7500);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The settings of a clustered node named {@code name} on the database {@code db} (check-in every second). */
    static Map<String, String> node(Map<String, String> db, String name) {
        Map<String, String> props = new HashMap<>(db);
        props.put("runbook.node", name);
        props.put("runbook.scheduler.clustered", "true");
        props.put("runbook.scheduler.checkin-interval", CHECKIN.toMillis() + "ms");
        return props;
    }

    private static String nextFireUtc(Engine engine) throws Exception {
        for (JsonNode job : JSON.readTree(TestEngine.get(engine, "/api/jobs").body())) {
            if (job.get("id").asText().equals("cluster-tick")) {
                return job.get("nextFireUtc").asText();
            }
        }
        throw new AssertionError("no job cluster-tick");
    }

    @Test
    void eachFireRunsOnceAcrossTwoNodesAndTheSurvivorCarriesOn() throws Exception {
        assumeTrue(TestEngine.onPostgres(), "needs RUNBOOK_TEST_POSTGRES");
        Path base = dir.resolve("base");
        Runs.route(base, "cluster-tick", 0);
        // overlap: queue — with skip, two catch-up fires landing on two nodes at once after a handover are a legitimate
        // "skipped" row; this test is about each fire running once on one node, not about the overlap policy
        Runs.schedule(base, "cluster-tick", "cron: \"* * * * * ?\"\noverlap: queue\n");
        Map<String, String> db = TestEngine.databaseProperties();

        Engine a = TestEngine.start(base, dir.resolve("data-a"), node(db, "node-a"));
        Engine b = TestEngine.start(base, dir.resolve("data-b"), node(db, "node-b"));
        Instant stopped;
        try {
            assertThat(a.scheduler().isClustered()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> nextFireUtc(a).equals(nextFireUtc(b)));
            await().atMost(Duration.ofSeconds(30)).until(() -> Runs.of(b, "cluster-tick").size() >= 10);
            a.close();
            stopped = Instant.now();
            long atStop = Runs.of(b, "cluster-tick").size();
            await().atMost(Duration.ofSeconds(30)).until(() -> Runs.of(b, "cluster-tick").size() >= atStop + 10);
        } finally {
            a.close();
            b.close();
        }
        assertThat(a.scheduler().duplicatesRefused() + b.scheduler().duplicatesRefused()).isZero();

        List<Runs.Row> runs = Runs.of(new DriverManagerDataSource(db.get("runbook.db.url"), "rb", "rb"), "cluster-tick");
        assertThat(runs).extracting(Runs.Row::node).containsOnly("node-a", "node-b").contains("node-a", "node-b");
        assertThat(runs).extracting(Runs.Row::status).containsOnly("succeeded");
        List<Instant> due = runs.stream().map(Runs.Row::scheduledFor).sorted().toList();
        assertThat(due).doesNotHaveDuplicates();
        for (int i = 1; i < due.size(); i++) {
            assertThat(Duration.between(due.get(i - 1), due.get(i))).isLessThanOrEqualTo(CHECKIN.plus(GRACE));
        }
        assertThat(runs.stream().filter(r -> r.scheduledFor().isAfter(stopped.plus(CHECKIN).plus(GRACE))))
                .isNotEmpty().allMatch(r -> r.node().equals("node-b"));
    }
}
