package com.runbook.engine.store;

import com.runbook.engine.TestEngine;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Units of work from many threads share one transaction; a unit that fails is undone alone. */
@Tag("db")
class GroupCommitTest {
    @TempDir
    Path dir;
    HikariDataSource dataSource;
    JdbcTemplate jdbc;
    GroupCommit writes;
    final ExecutorService callers = Executors.newFixedThreadPool(8);

    @BeforeEach
    void open() throws Exception {
        Map<String, String> pg = TestEngine.databaseProperties();
        dataSource = Database.open(pg.getOrDefault("runbook.db.url", "jdbc:h2:file:" + dir.resolve("db")),
                pg.getOrDefault("runbook.db.user", "sa"), pg.getOrDefault("runbook.db.password", ""), 4);
        jdbc = new JdbcTemplate(dataSource);
        writes = new GroupCommit(dataSource, "test-writes", 1);
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        writes.close();
        dataSource.close();
    }

    private int lock(String job) {
        return jdbc.update("insert into job_lock (job, node, started_at) values (?, 'n', ?)", job,
                OffsetDateTime.now(ZoneOffset.UTC));
    }

    private List<String> locked() {
        return jdbc.queryForList("select job from job_lock order by job", String.class);
    }

    @Test
    void everyCallerReturnsAfterItsWriteCommitted() throws Exception {
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String job = "job-" + (100 + i);
            calls.add(callers.submit(() -> writes.call(() -> lock(job))));
        }
        for (Future<Integer> call : calls) {
            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(locked()).hasSize(40).first().isEqualTo("job-100");
    }

    @Test
    void aFailingUnitIsUndoneAloneAndItsCallerGetsTheError() throws Exception {
        lock("taken");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // hold the writer so the next three units queue up and share one transaction
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> writes.run("", () -> {
            running.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> release.getCount() == 0);
            lock("first");
        }), callers);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Integer> a = callers.submit(() -> writes.call(() -> lock("a")));
        Future<Integer> dup = callers.submit(() -> writes.call(() -> {
            lock("b");
            return lock("taken");
        }));
        Future<Integer> c = callers.submit(() -> writes.call(() -> lock("c")));
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 3);
        release.countDown();

        first.get(10, TimeUnit.SECONDS);
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> dup.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DataIntegrityViolationException.class);
        // the failing unit's first insert ("b") was undone with it; the others committed
        assertThat(locked()).containsExactly("a", "c", "first", "taken");
    }

    @Test
    void aUnitCallingAnotherRunsItInline() {
        assertThat(writes.call(() -> lock("outer") + writes.call(() -> lock("inner")))).isEqualTo(2);
        assertThat(locked()).containsExactly("inner", "outer");
    }

    @Test
    void afterCloseEachCallHasItsOwnTransaction() {
        writes.close();
        assertThat(writes.call(() -> lock("late"))).isEqualTo(1);
        assertThat(locked()).containsExactly("late");
    }
}
