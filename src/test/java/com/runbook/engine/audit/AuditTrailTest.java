package com.runbook.engine.audit;

import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.Role;
import com.runbook.engine.store.GroupCommit;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Entries commit with their transaction, chained in commit order; rolled back (whole or to a savepoint), they vanish. */
@Tag("db")
class AuditTrailTest {
    HikariDataSource db;
    JdbcTemplate jdbc;
    TransactionTemplate tx;
    AuditTrail trail;
    GroupCommit writes;
    final ExecutorService callers = Executors.newFixedThreadPool(12);

    @BeforeEach
    void open() throws Exception {
        db = TestEngine.database();
        db.setMaximumPoolSize(16);
        jdbc = new JdbcTemplate(db);
        tx = new TransactionTemplate(new DataSourceTransactionManager(db));
        trail = new AuditTrail(db, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        if (writes != null) {
            writes.close();
        }
        db.close();
    }

    static AuditEntry entry(String subject) {
        Map<String, Object> detail = new LinkedHashMap<>();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("region", "eu");
        params.put("size", 3);
        detail.put("params", params);
        detail.put("dryRun", false);
        return new AuditEntry(AuditAction.RUN_STARTED, Actor.token("alice", Role.OPERATOR), "nightly-backup", subject,
                detail);
    }

    List<String> subjects() {
        return jdbc.queryForList("select subject from audit_entry order by seq", String.class);
    }

    AuditVerifier.Verdict verify() {
        return new AuditVerifier(db).verify();
    }

    @Test
    void anEntryOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> trail.record(entry("run 1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("audit entry run.started recorded outside a transaction on the engine database: record it"
                        + " in the transaction of the change it describes");
        assertThat(subjects()).isEmpty();
    }

    @Test
    void anEntryWithoutActionOrActorIsRefused() {
        tx.executeWithoutResult(s -> {
            assertThatThrownBy(() -> trail.record(new AuditEntry(null, Actor.BOOTSTRAP, null, "x", null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an audit entry needs an action and an actor: AuditEntry[action=null,"
                            + " actor=Actor[kind=BOOTSTRAP, name=bootstrap, role=ADMIN], job=null, subject=x, detail={}]");
            assertThatThrownBy(() -> trail.record(new AuditEntry(AuditAction.PAGE_RETRIED, null, null, "x", null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an audit entry needs an action and an actor: AuditEntry[action=PAGE_RETRIED,"
                            + " actor=null, job=null, subject=x, detail={}]");
        });
        assertThat(subjects()).isEmpty();
    }

    @Test
    void aDetailThatIsNotJsonIsRefusedInTheCallersUnit() {
        tx.executeWithoutResult(s -> assertThatThrownBy(() -> trail.record(new AuditEntry(AuditAction.PAGE_RETRIED,
                Actor.BOOTSTRAP, null, "page 3", Map.of("channel", new Object()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("audit entry page.retried: its detail is not JSON: No serializer found for class java.lang.Object"));
        assertThat(subjects()).isEmpty();
    }

    @Test
    void aDetailLongerThanTheColumnIsRefused() {
        tx.executeWithoutResult(s -> assertThatThrownBy(() -> trail.record(new AuditEntry(AuditAction.RELOAD_APPLIED,
                Actor.engine("file-watcher"), null, "routes/x.camel.yaml", Map.of("diff", "+".repeat(1_000_000)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audit entry reload.applied: its detail has 1000011 characters, more than 1000000 (shorten"
                        + " the diff)"));
        assertThat(subjects()).isEmpty();
    }

    /**
     * B records its entry, then waits for a row A holds; A then records and commits. Were the chain lock taken at
     * {@code record} (not last, at the commit), B would hold it while waiting for A's row and A's commit would wait
     * for it: a deadlock. Taken last, A commits and B follows.
     */
    @Test
    void anEntryRecordedEarlyHoldsNoLockSoTransactionsWaitingForEachOthersRowsFinish() throws Exception {
        writes = new GroupCommit(db, "audit-writes", 1);
        jdbc.update("insert into job_lock (job, node, started_at) values ('shared', 'none', ?)", OffsetDateTime.now(ZoneOffset.UTC));
        CountDownLatch aHoldsTheRow = new CountDownLatch(1);
        CountDownLatch bRecorded = new CountDownLatch(1);
        Future<?> a = callers.submit(() -> tx.executeWithoutResult(s -> {
            jdbc.update("update job_lock set node = 'a' where job = 'shared'");
            aHoldsTheRow.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> bRecorded.getCount() == 0);
            trail.record(entry("a"));
        }));
        Future<?> b = callers.submit(() -> writes.run("", () -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> aHoldsTheRow.getCount() == 0);
            trail.record(entry("b"));
            bRecorded.countDown();
            jdbc.update("update job_lock set node = 'b' where job = 'shared'");
        }));
        a.get(30, TimeUnit.SECONDS);
        b.get(30, TimeUnit.SECONDS);
        assertThat(subjects()).containsExactly("a", "b");
        assertThat(jdbc.queryForObject("select node from job_lock where job = 'shared'", String.class)).isEqualTo("b");
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void verifyWhileEntriesAreAppendedIsAlwaysOk() throws Exception {
        writes = new GroupCommit(db, "audit-writes", 2);
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            calls.add(callers.submit(() -> writes.run("k" + (n % 5), () -> trail.record(entry("lane " + n)))));
        }
        List<AuditVerifier.Verdict> verdicts = new ArrayList<>();
        while (calls.stream().anyMatch(f -> !f.isDone())) {
            verdicts.add(verify());
        }
        for (Future<?> call : calls) {
            call.get(30, TimeUnit.SECONDS);
        }
        verdicts.add(verify());
        assertThat(verdicts).allMatch(AuditVerifier.Verdict::ok);
        assertThat(verdicts.get(verdicts.size() - 1).entries()).isEqualTo(200);
    }

    @Test
    void entriesCommitWithTheirTransactionChained() {
        tx.executeWithoutResult(s -> {
            trail.record(entry("run 1"));
            trail.record(entry("run 2"));
        });
        tx.executeWithoutResult(s -> trail.record(new AuditEntry(AuditAction.TOKEN_CREATED, Actor.BOOTSTRAP, null,
                "token bob", null)));
        List<Map<String, Object>> rows = jdbc.queryForList("select * from audit_entry order by seq");
        assertThat(rows).extracting(r -> ((Number) r.get("seq")).longValue()).containsExactly(1L, 2L, 3L);
        assertThat(subjects()).containsExactly("run 1", "run 2", "token bob");
        assertThat(jdbc.queryForList("select actor from audit_entry order by seq", String.class))
                .containsExactly("token:alice", "token:alice", "token:bootstrap");
        assertThat(jdbc.queryForObject("select detail from audit_entry where seq = 1", String.class))
                .isEqualTo("{\"params\":{\"region\":\"eu\",\"size\":3},\"dryRun\":false}");
        assertThat(jdbc.queryForObject("select prev_hash from audit_entry where seq = 1", String.class))
                .isEqualTo(AuditChain.GENESIS);
        assertThat(jdbc.queryForObject("select prev_hash from audit_entry where seq = 2", String.class))
                .isEqualTo(jdbc.queryForObject("select hash from audit_entry where seq = 1", String.class));
        AuditVerifier.Verdict verdict = verify();
        assertThat(verdict.ok()).isTrue();
        assertThat(verdict.entries()).isEqualTo(3);
        assertThat(verdict.head()).isEqualTo(jdbc.queryForObject("select hash from audit_entry where seq = 3", String.class));
    }

    @Test
    void aRolledBackTransactionLeavesNoEntry() {
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            trail.record(entry("run 1"));
            throw new IllegalStateException("the change failed");
        })).hasMessage("the change failed");
        tx.executeWithoutResult(s -> {
            trail.record(entry("run 2"));
            s.setRollbackOnly();
        });
        tx.executeWithoutResult(s -> trail.record(entry("run 3")));
        assertThat(subjects()).containsExactly("run 3");
        assertThat(jdbc.queryForObject("select seq from audit_entry", Long.class)).isEqualTo(1);
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void aSavepointRolledBackDropsTheEntriesRecordedAfterIt() {
        TransactionTemplate nested = new TransactionTemplate(new DataSourceTransactionManager(db));
        nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        tx.executeWithoutResult(s -> {
            // a savepoint taken before the transaction's first entry, rolled back: everything recorded goes
            Object before = s.createSavepoint();
            trail.record(entry("dropped 1"));
            s.rollbackToSavepoint(before);
            trail.record(entry("kept 1"));
            Object sp = s.createSavepoint();
            trail.record(entry("dropped 2"));
            s.rollbackToSavepoint(sp);
            Object released = s.createSavepoint();
            trail.record(entry("kept 2"));
            s.releaseSavepoint(released);
            assertThatThrownBy(() -> nested.executeWithoutResult(n -> {
                trail.record(entry("dropped 3"));
                throw new IllegalStateException("nested failed");
            })).hasMessage("nested failed");
            nested.executeWithoutResult(n -> trail.record(entry("kept 3")));
        });
        assertThat(subjects()).containsExactly("kept 1", "kept 2", "kept 3");
        assertThat(verify().ok()).isTrue();
    }

    /** Callers parked in {@code GroupCommit.call}, waiting for their unit's commit. */
    static boolean waitingForCommit(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("call")
                && f.getClassName().equals(GroupCommit.class.getName()))
                && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(CompletableFuture.class.getName()));
    }

    @Test
    void aGroupCommitUnitThatFailsLeavesNoEntryAndTheOthersKeepTheirs() throws Exception {
        writes = new GroupCommit(db, "audit-writes", 1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> writes.run("", () -> {
            running.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> release.getCount() == 0);
            trail.record(entry("first"));
        }), callers);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        List<Thread> queued = java.util.Collections.synchronizedList(new ArrayList<>());
        Future<?> a = callers.submit(() -> {
            queued.add(Thread.currentThread());
            writes.run("", () -> trail.record(entry("a")));
        });
        Future<?> failing = callers.submit(() -> {
            queued.add(Thread.currentThread());
            writes.run("", () -> {
                trail.record(entry("failing"));
                jdbc.update("insert into job_lock (job, node, started_at) values ('x', 'n', ?)", OffsetDateTime.now(ZoneOffset.UTC));
                throw new IllegalStateException("unit failed");
            });
        });
        Future<?> c = callers.submit(() -> {
            queued.add(Thread.currentThread());
            writes.run("", () -> trail.record(entry("c")));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> queued.size() == 3
                && List.copyOf(queued).stream().allMatch(AuditTrailTest::waitingForCommit));
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        a.get(10, TimeUnit.SECONDS);
        c.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("unit failed");
        assertThat(subjects()).containsExactlyInAnyOrder("first", "a", "c").first().isEqualTo("first");
        assertThat(jdbc.queryForObject("select count(*) from job_lock", Integer.class)).isZero();
        assertThat(verify().ok()).isTrue();
    }

    @Test
    void manyThreadsThroughLanesAndPlainTransactionsMakeOneChain() throws Exception {
        writes = new GroupCommit(db, "audit-writes", 3);
        int perKind = 150;
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            String job = "job-" + (i % 7);
            int n = i;
            // a lane unit: its own rows first (a lock of its job), then its entry
            calls.add(callers.submit(() -> writes.run(job, () -> {
                jdbc.update("insert into job_lock (job, node, started_at) values (?, 'n', ?)", job + "-" + n,
                        OffsetDateTime.now(ZoneOffset.UTC));
                trail.record(entry("lane " + n));
            })));
            // a plain transaction (like the incident service's): its own row, then two entries
            calls.add(callers.submit(() -> tx.executeWithoutResult(s -> {
                jdbc.update("insert into job_lock (job, node, started_at) values (?, 'n', ?)", "plain-" + n,
                        OffsetDateTime.now(ZoneOffset.UTC));
                trail.record(entry("plain " + n));
                trail.record(entry("plain " + n + " second"));
            })));
        }
        for (Future<?> call : calls) {
            call.get(60, TimeUnit.SECONDS);
        }
        List<Long> seqs = jdbc.queryForList("select seq from audit_entry order by seq", Long.class);
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, perKind * 3L).boxed().toList());
        // a transaction's entries are consecutive
        List<String> subjects = subjects();
        for (int i = 0; i < subjects.size(); i++) {
            if (subjects.get(i).startsWith("plain") && !subjects.get(i).endsWith("second")) {
                assertThat(subjects.get(i + 1)).isEqualTo(subjects.get(i) + " second");
            }
        }
        AuditVerifier.Verdict verdict = verify();
        assertThat(verdict.ok()).as(String.valueOf(verdict)).isTrue();
        assertThat(verdict.entries()).isEqualTo(perKind * 3L);
    }
}
