package com.runbook.engine.alert;

import com.zaxxer.hikari.HikariDataSource;
import com.runbook.engine.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Group commit: concurrent requests share one transaction; a failing one fails alone, nothing of it stored. */
class GroupCommitTest {
    record Call(List<String> items, boolean batched) {
    }

    HikariDataSource ds;
    JdbcTemplate jdbc;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch firstWriting = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, String> group;

    @BeforeEach
    void setUp() {
        ds = Database.pool("test", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        jdbc = new JdbcTemplate(ds);
        jdbc.execute("create table item (v varchar(20) primary key)");
        group = new GroupCommit<>("test-commit", new TransactionTemplate(new DataSourceTransactionManager(ds)), 100,
                (items, batched) -> {
                    calls.add(new Call(List.copyOf(items), batched));
                    if (items.contains("first")) {
                        firstWriting.countDown();
                        await().atMost(10, TimeUnit.SECONDS).until(() -> release.getCount() == 0);
                    }
                    List<String> out = new ArrayList<>();
                    for (String v : items) {
                        jdbc.update("insert into item (v) values (?)", v);   // a repeated value fails: primary key
                        out.add(v.toUpperCase());
                    }
                    return out;
                });
    }

    @AfterEach
    void tearDown() {
        group.close();
        ds.close();
    }

    private int stored(String v) {
        return jdbc.queryForObject("select count(*) from item where v = ?", Integer.class, v);
    }

    @Test
    void requestsArrivingDuringACommitAreWrittenTogetherInTheNextAndEachGetsItsOwnResults() throws Exception {
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> group.submit(List.of("first")));
        assertThat(firstWriting.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<String>> a = CompletableFuture.supplyAsync(() -> group.submit(List.of("a1", "a2")));
        CompletableFuture<List<String>> b = CompletableFuture.supplyAsync(() -> group.submit(List.of("b1")));
        await().atMost(10, TimeUnit.SECONDS).until(() -> group.waiting() == 2);
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly("FIRST");
        assertThat(a.get(10, TimeUnit.SECONDS)).containsExactly("A1", "A2");
        assertThat(b.get(10, TimeUnit.SECONDS)).containsExactly("B1");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).batched()).isTrue();
        assertThat(calls.get(1).items()).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(jdbc.queryForObject("select count(*) from item", Integer.class)).isEqualTo(4);
    }

    @Test
    void aFailingRequestFailsAloneAndNothingOfItIsStoredWhileTheOthersOfItsGroupAre() throws Exception {
        group.submit(List.of("taken"));
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> group.submit(List.of("first")));
        assertThat(firstWriting.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<String>> good = CompletableFuture.supplyAsync(() -> group.submit(List.of("g1")));
        CompletableFuture<List<String>> bad = CompletableFuture.supplyAsync(() -> group.submit(List.of("b1", "taken")));
        await().atMost(10, TimeUnit.SECONDS).until(() -> group.waiting() == 2);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(good.get(10, TimeUnit.SECONDS)).containsExactly("G1");
        assertThatThrownBy(() -> bad.join()).hasCauseInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(stored("g1")).isEqualTo(1);
        assertThat(stored("b1")).isZero();   // rolled back with its request
        // the group was tried batched, then each request alone on the careful path
        assertThat(calls.subList(2, calls.size())).extracting(Call::batched).containsExactly(true, false, false);
    }

    @Test
    void afterCloseNothingIsWrittenAndTheCallerIsTold() {
        group.close();
        assertThatThrownBy(() -> group.submit(List.of("late"))).hasMessage("the engine is stopping: nothing stored");
        assertThat(stored("late")).isZero();
    }
}
