package com.runbook.engine.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.RecordingIncidents;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Overlap, timeout and disable/enable on a running engine, with jobs that fire every second. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    Path base;
    Engine engine;
    final RecordingIncidents incidents = new RecordingIncidents();
    final Set<Long> ended = ConcurrentHashMap.newKeySet();
    final Punctual punctual = new Punctual();

    /** Route bean of the job "punctual": when its route was called, and whether the run's row was there by then. */
    public class Punctual {
        final Map<Long, Instant> calledAt = new ConcurrentHashMap<>();
        final Map<Long, Runs.Row> rowAtCall = new ConcurrentHashMap<>();

        public void called(long runId) {
            Instant now = Instant.now();
            Runs.of(engine, "punctual").stream().filter(r -> r.id() == runId).findFirst()
                    .ifPresent(r -> rowAtCall.put(runId, r));
            calledAt.put(runId, now);
        }
    }

    @BeforeAll
    void start() throws Exception {
        base = dir.resolve("base");
        Runs.route(base, "slow-skip", 2500);
        Runs.route(base, "slow-queue", 1500);
        Runs.route(base, "locked-job", 0);
        Runs.route(base, "slow-timeout", 3000);
        Runs.route(base, "tick", 0);
        Files.writeString(base.resolve("routes/punctual.camel.yaml"), """
                - route:
                    id: punctual
                    from:
                      uri: direct:punctual
                      steps:
                        - bean:
                            ref: punctual
                            method: "called(${header.RunbookRunId})"
                """);
        Files.createDirectories(base.resolve("schedules"));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of(), Map.of("incidents", incidents,
                "punctual", punctual));
        engine.runner().addListener((job, trigger, runId, status, ms, error) -> ended.add(runId));
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private void unschedule(String job) throws Exception {
        Files.delete(base.resolve("schedules/" + job + ".yaml"));
        await().atMost(WAIT).until(() -> engine.scheduler().nextFire(job) == null);
    }

    /** No two runs of the job were going on at the same time. */
    private static void assertNoOverlap(List<Runs.Row> runs) {
        List<Runs.Row> ran = runs.stream().filter(r -> r.finished() != null && !r.status().equals("skipped")).toList();
        for (int i = 1; i < ran.size(); i++) {
            assertThat(ran.get(i).started()).isAfterOrEqualTo(ran.get(i - 1).finished());
        }
    }

    @Test
    void overlapSkipRecordsTheSkippedFireAndNeverRunsTwiceAtOnce() throws Exception {
        Runs.schedule(base, "slow-skip", "cron: \"* * * * * ?\"\noverlap: skip\n");
        await().atMost(WAIT).until(() -> Runs.count(engine, "slow-skip", "succeeded") >= 2
                && Runs.count(engine, "slow-skip", "skipped") >= 2);
        unschedule("slow-skip");
        List<Runs.Row> runs = Runs.of(engine, "slow-skip");
        assertNoOverlap(runs);
        List<Runs.Row> skipped = runs.stream().filter(r -> r.status().equals("skipped")).toList();
        assertThat(skipped).allSatisfy(r -> {
            assertThat(r.error()).isEqualTo("previous run still running on test-node (overlap: skip)");
            assertThat(r.node()).isEqualTo("test-node");
            assertThat(r.trigger()).isEqualTo("schedule");
        });
        assertThat(runs).extracting(Runs.Row::scheduledFor).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    void overlapSkipHoldsAcrossNodesThroughTheDatabaseLock() throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(engine.dataSource());
        jdbc.update("insert into job_lock (job, node, started_at) values ('locked-job', 'other-node', ?)",
                OffsetDateTime.now(ZoneOffset.UTC));
        Runs.schedule(base, "locked-job", "cron: \"* * * * * ?\"\n");
        await().atMost(WAIT).until(() -> Runs.count(engine, "locked-job", "skipped") >= 1);
        assertThat(Runs.count(engine, "locked-job", "succeeded")).isZero();
        assertThat(Runs.of(engine, "locked-job").get(0).error())
                .isEqualTo("previous run still running on other-node (overlap: skip)");

        jdbc.update("delete from job_lock where job = 'locked-job'");
        await().atMost(WAIT).until(() -> Runs.count(engine, "locked-job", "succeeded") >= 1);
        unschedule("locked-job");
        assertThat(jdbc.queryForObject("select count(*) from job_lock", Integer.class)).isZero();
    }

    @Test
    void overlapQueueRunsEveryFireAfterThePreviousOne() throws Exception {
        Runs.schedule(base, "slow-queue", "cron: \"* * * * * ?\"\noverlap: queue\n");
        await().atMost(WAIT).until(() -> Runs.count(engine, "slow-queue", "succeeded") >= 3);
        unschedule("slow-queue");
        List<Runs.Row> runs = Runs.of(engine, "slow-queue");
        assertThat(runs).extracting(Runs.Row::status).doesNotContain("skipped");
        assertNoOverlap(runs);
        // queued fires start late: each after the previous run ended, not at its due time
        assertThat(runs.get(2).started()).isAfter(runs.get(2).scheduledFor().plusMillis(500));
    }

    @Test
    void aRunLongerThanItsTimeoutIsMarkedFailedAndRaisesAnIncident() throws Exception {
        Runs.schedule(base, "slow-timeout", "cron: \"0/10 * * * * ?\"\ntimeout: 1s\n");
        await().atMost(WAIT).until(() -> Runs.count(engine, "slow-timeout", "failed") >= 1);
        Runs.Row run = Runs.of(engine, "slow-timeout").get(0);
        assertThat(run.error()).isEqualTo("timed out after 1s");
        assertThat(Duration.between(run.started(), run.finished())).isLessThan(Duration.ofMillis(2500));
        // the incident is raised just after the row is marked failed
        await().atMost(WAIT).untilAsserted(() -> assertThat(incidents.raised).anySatisfy(i -> {
            assertThat(i.key()).isEqualTo("JobTimedOut/slow-timeout");
            assertThat(i.priority()).isEqualTo("P2");
            assertThat(i.title()).isEqualTo("Job slow-timeout timed out after 1s");
            assertThat(i.labels()).containsEntry("runId", Long.toString(run.id())).containsEntry("node", "test-node");
        }));
        // the route ends 3 s in; the run stays failed
        await().atMost(WAIT).until(() -> ended.contains(run.id()));
        unschedule("slow-timeout");
        Runs.Row after = Runs.of(engine, "slow-timeout").get(0);
        assertThat(after.status()).isEqualTo("failed");
        assertThat(after.error()).isEqualTo("timed out after 1s");
    }

    @Test
    void aFireIsRecordedDuringTheLeadAndItsRouteCalledAtTheDueTimeNeverBefore() throws Exception {
        Runs.schedule(base, "punctual", "cron: \"* * * * * ?\"\n");
        // recorded within the lead: its row says it started at its due time (the first fire after a reload may come
        // too late for that and then records the moment it really started)
        await().atMost(WAIT).until(() -> Runs.of(engine, "punctual").stream()
                .filter(r -> r.started().equals(r.scheduledFor()) && punctual.calledAt.containsKey(r.id())).count() >= 3);
        unschedule("punctual");
        List<Runs.Row> runs = Runs.of(engine, "punctual").stream().filter(r -> punctual.calledAt.containsKey(r.id())).toList();
        assertThat(runs).allSatisfy(r -> {
            assertThat(r.started()).isAfterOrEqualTo(r.scheduledFor());
            assertThat(punctual.calledAt.get(r.id())).isAfterOrEqualTo(r.started());
            // the row was committed before the route was called
            Runs.Row before = punctual.rowAtCall.get(r.id());
            assertThat(before).isNotNull();
            assertThat(before.status()).isEqualTo("running");
            assertThat(before.started()).isEqualTo(r.started());
            assertThat(r.status()).isEqualTo("succeeded");
        });
    }

    private JsonNode job(String id) throws Exception {
        for (JsonNode job : JSON.readTree(TestEngine.get(engine, "/api/jobs").body())) {
            if (job.get("id").asText().equals(id)) {
                return job;
            }
        }
        throw new AssertionError("no job " + id);
    }

    @Test
    void disablingAScheduleStopsItsFiresAndReEnablingResumesThem() throws Exception {
        Runs.schedule(base, "tick", "cron: \"* * * * * ?\"\n");
        await().atMost(WAIT).until(() -> Runs.count(engine, "tick", "succeeded") >= 2);

        Runs.schedule(base, "tick", "cron: \"* * * * * ?\"\nenabled: false\n");
        await().atMost(WAIT).until(() -> engine.scheduler().nextFire("tick") == null);
        assertThat(job("tick").get("nextFireUtc").isNull()).isTrue();
        long stopped = Runs.of(engine, "tick").size();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> Runs.of(engine, "tick").size() == stopped);

        Runs.schedule(base, "tick", "cron: \"* * * * * ?\"\n");
        await().atMost(WAIT).until(() -> Runs.of(engine, "tick").size() >= stopped + 2);
        assertThat(job("tick").get("nextFireUtc").asText()).endsWith("Z");
        unschedule("tick");
    }
}
