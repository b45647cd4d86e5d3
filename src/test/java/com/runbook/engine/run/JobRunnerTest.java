package com.runbook.engine.run;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.definition.Role;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.store.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A door that starts a run waits on its end: completed once its row says how it ended, with the route's answer. */
class JobRunnerTest {
    HikariDataSource db;
    RunStore store;
    final RecordingAudit audit = new RecordingAudit();
    DefaultCamelContext camel;
    JobRunner runner;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        db = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        store = new RunStore(db, audit);
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:ok").setBody(simple("done for ${header.who} (${header.RunbookTrigger})"));
                from("direct:boom").throwException(new IllegalStateException("boom"));
                from("direct:slow").process(e -> release.await(30, TimeUnit.SECONDS)).setBody(constant("late"));
            }
        });
        camel.start();
        runner = new JobRunner(camel, store, "n", job -> true);
    }

    @AfterEach
    void stop() {
        release.countDown();
        runner.shutdown();
        camel.stop();
        store.close();
        db.close();
    }

    @Test
    void aRunThatSucceedsEndsWithItsRoutesBodyAfterItsRowIsWritten() throws Exception {
        RunStarter.Watched run = runner.startWatched("ok", RunTrigger.DNS, Map.of("who", "ops"), Actor.engine("test"));
        RunEnd end = run.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(end.id()).isEqualTo(run.id());
        assertThat(end.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(end.result()).isEqualTo("done for ops (dns)");
        assertThat(end.failure()).isNull();
        assertThat(store.find(run.id()).orElseThrow()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(r.trigger()).isEqualTo("dns");
            assertThat(r.finishedAt()).isNotNull();
        });
    }

    @Test
    void aRunThatFailsEndsWithWhatItsRouteThrew() throws Exception {
        RunStarter.Watched run = runner.startWatched("boom", RunTrigger.MANUAL, Map.of(), Actor.engine("test"));
        RunEnd end = run.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.FAILED);
        assertThat(end.failure()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(end.error()).isEqualTo("IllegalStateException: boom");
        assertThat(store.find(run.id()).orElseThrow().error()).isEqualTo(end.error());
    }

    @Test
    void aRunStillGoingAfterTheWaitIsNotEndedByIt() throws Exception {
        RunStarter.Watched run = runner.startWatched("slow", RunTrigger.MANUAL, Map.of(), Actor.engine("test"));
        assertThat(run.await(Duration.ofMillis(100))).isEmpty();
        assertThat(store.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        release.countDown();
        assertThat(run.await(Duration.ofSeconds(30)).orElseThrow().result()).isEqualTo("late");
    }

    @Test
    void aRunNamesWhoStartedItInItsRowAndInItsRunStartedEntry() throws Exception {
        Actor alice = Actor.token("alice", Role.OPERATOR);
        RunStarter.Watched run = runner.startWatched("ok", RunTrigger.MANUAL, Map.of("who", "ops"), alice);
        run.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(store.find(run.id()).orElseThrow().by()).isEqualTo("token:alice");
        assertThat(store.find(run.id()).orElseThrow().json()).containsEntry("by", "token:alice");
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.RUN_STARTED);
            assertThat(e.actor()).isEqualTo(alice);
            assertThat(e.job()).isEqualTo("ok");
            assertThat(e.subject()).isEqualTo("run " + run.id());
            assertThat(e.detail()).containsExactly(Map.entry("runId", run.id()), Map.entry("trigger", "manual"),
                    Map.entry("dryRun", false), Map.entry("params", Map.of()));   // undeclared: none recorded
        });
    }

    @Test
    void aRehearsalIsRecordedAsADryRun() throws Exception {
        RunStarter.Watched run = runner.startWatched("ok", RunTrigger.DRY_RUN, Map.of(), Actor.token("bob", Role.OPERATOR));
        run.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.actor().id()).isEqualTo("token:bob");
            assertThat(e.detail()).containsEntry("trigger", "dry-run").containsEntry("dryRun", true);
        });
    }

    @Test
    void aScheduledFireRunsOnBehalfOfItsScheduleAndASkippedFireRecordsNoEntry() {
        Instant due = Instant.now().minusSeconds(1);
        long id = runner.runScheduled("ok", "ok-hourly", Map.of("who", "cron"), RunTrigger.SCHEDULE, due, null, null,
                x -> { });
        assertThat(store.find(id).orElseThrow().by()).isEqualTo("schedule:ok-hourly");
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(Actor.schedule("ok-hourly"));
            assertThat(e.detail()).containsEntry("trigger", "schedule").containsEntry("scheduleId", "ok-hourly")
                    .containsEntry("scheduledFor", due.toString()).containsEntry("params", Map.of());
        });
        long skipped = runner.recordSkipped("ok", "ok-hourly", due.plusSeconds(3600), "misfired");
        assertThat(store.find(skipped).orElseThrow().by()).isEqualTo("schedule:ok-hourly");
        assertThat(audit.committed).hasSize(1);
    }

    @Test
    void aRunRowRolledBackTakesItsEntryAlong() {
        assertThatThrownBy(() -> store.writes().call("ok", () -> {
            store.start("ok", "manual", "n", RunStatus.RUNNING, null, null, null, Map.of(), Actor.engine("test"));
            throw new IllegalStateException("after the row");
        })).hasMessage("after the row");
        assertThat(store.list("ok", 10)).isEmpty();
        assertThat(audit.committed).isEmpty();
        store.start("ok", "manual", "n", RunStatus.RUNNING, null, null, null, Map.of(), Actor.engine("test"));
        assertThat(audit.committed).hasSize(1);
    }
}
