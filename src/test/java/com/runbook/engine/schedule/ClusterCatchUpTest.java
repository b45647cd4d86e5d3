package com.runbook.engine.schedule;

import com.runbook.engine.Engine;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Clustered nodes on one PostgreSQL schema: a node killed with SIGKILL mid-run hands over to another, whose burst of
 * late fires becomes one run (not runs skipped as overlaps) and which releases the dead node's run and lock once its
 * check-in expired; a cluster restarted under new node names makes up or records the fire it missed. Runs only with
 * RUNBOOK_TEST_POSTGRES set.
 */
@Tag("db")
class ClusterCatchUpTest {
    @TempDir
    Path dir;

    private static Map<String, String> node(Map<String, String> db, String name) {
        Map<String, String> props = new HashMap<>(ClusterTest.node(db, name));
        props.put("runbook.trading.demo", "false");
        return props;
    }

    private static JdbcTemplate jdbc(Map<String, String> db) {
        return new JdbcTemplate(new DriverManagerDataSource(db.get("runbook.db.url"), "rb", "rb"));
    }

    @Test
    void aNodeKilledMidRunHandsOverItsLateFiresAsOneRunAndItsRunAndLockAreReleased() throws Exception {
        assumeTrue(TestEngine.onPostgres(), "needs RUNBOOK_TEST_POSTGRES");
        Path base = dir.resolve("base");
        Runs.route(base, "burst", 100);
        Runs.schedule(base, "burst", "cron: \"* * * * * ?\"\noverlap: skip\n");
        Map<String, String> db = TestEngine.databaseProperties();
        JdbcTemplate jdbc = jdbc(db);

        Map<String, String> a = node(db, "node-a");
        a.put("runbook.data-dir", dir.resolve("data-a").toString());
        EngineProcess.Child nodeA = EngineProcess.start(base, a, dir);
        String running = "select id from job_run where job = 'burst' and node = 'node-a' and status = 'running'";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                jdbc.queryForObject("select count(*) from job_run where job = 'burst' and status = 'succeeded'", Integer.class) >= 3
                        && !jdbc.queryForList(running, Long.class).isEmpty());
        nodeA.process().destroyForcibly().waitFor();
        List<Long> killed = jdbc.queryForList(running, Long.class);
        assertThat(killed).as("killed mid-run").isNotEmpty();
        assertThat(jdbc.queryForList("select node from job_lock where job = 'burst'", String.class)).containsExactly("node-a");

        // node-a's check-in expires (1 s + Quartz's 7.5 s grace); its trigger's fires fall behind meanwhile
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("select count(*) from qrtz_scheduler_state"
                + " where instance_name = 'node-a' and last_checkin_time + checkin_interval + 7500 >= ?", Integer.class,
                System.currentTimeMillis()) == 0);
        Instant handover;
        try (Engine b = TestEngine.start(base, dir.resolve("data-b"), node(db, "node-b"))) {
            handover = Instant.now();
            // node-b fails node-a's run and releases its lock
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "select status from job_run where id = ?", String.class, killed.get(0)).equals("failed"));
            assertThat(jdbc.queryForObject("select error from job_run where id = ?", String.class, killed.get(0)))
                    .isEqualTo("abandoned: node node-a stopped checking in (dead) while the run was going on; found by node-b");
            await().atMost(Duration.ofSeconds(30)).until(() -> Runs.of(b, "burst").stream()
                    .filter(r -> r.node().equals("node-b") && r.status().equals("succeeded")).count() >= 4);
        }
        List<Runs.Row> onB = Runs.of(jdbc.getDataSource(), "burst").stream().filter(r -> r.node().equals("node-b")).toList();
        Runs.Row first = onB.get(0);
        // a fire due while the coalesced run still runs is an ordinary overlap (skipped, overlap: skip); none of the
        // late fires it stands for is
        assertThat(onB).as("no fire of the handover burst skipped as an overlap with another fire of it")
                .noneMatch(r -> r.status().equals("skipped") && !r.scheduledFor().isAfter(first.started()));
        assertThat(onB).as("node-a's lock was released before node-b's first fire")
                .noneMatch(r -> r.status().equals("skipped") && r.error().contains("node-a"));
        assertThat(first.trigger()).as("the late fires after the handover were coalesced into one run").isEqualTo("misfire");
        assertThat(first.status()).isEqualTo("succeeded");
        assertThat(onB.get(1).scheduledFor()).as("fires after the burst are on time again")
                .isAfter(first.scheduledFor());
        assertThat(jdbc.queryForObject("select count(*) from job_run where job = 'burst' and status = 'running'", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from job_lock", Integer.class)).isZero();
        System.out.println("handover burst: first run on node-b due " + first.scheduledFor() + ", started " + first.started()
                + " (node-b started at " + handover + ")");
    }

    @Test
    void aClusterRestartedUnderNewNodeNamesMakesUpTheMissedFireOnce() throws Exception {
        assumeTrue(TestEngine.onPostgres(), "needs RUNBOOK_TEST_POSTGRES");
        Path base = CatchUpTest.base(dir);
        Map<String, String> db = TestEngine.databaseProperties();
        Map<String, String> a = node(db, "node-a");
        a.put("runbook.scheduler.misfire-threshold", "500ms");
        Instant missed = CatchUpTest.runThenStop(TestEngine.start(base, dir.resolve("data-a"), a));

        Map<String, String> b = node(db, "node-b");
        b.put("runbook.scheduler.misfire-threshold", "500ms");
        try (Engine second = TestEngine.start(base, dir.resolve("data-b"), b)) {
            CatchUpTest.assertMadeUpOnceAndSkippedOnce(second, "node-b", missed);
        }
    }
}
