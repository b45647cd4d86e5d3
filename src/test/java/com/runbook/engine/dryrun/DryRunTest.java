package com.runbook.engine.dryrun;

import com.runbook.engine.core.Actor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.LocalHttp;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import com.runbook.engine.core.RunTrigger;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fail-closed dry run against a real engine and a real local HTTP server: a dry run's remote sends are recorded
 * in its plan and never reach the server (to, toD, wireTap, split threads), an unhandled remote producer and an
 * unmarked bean method fail the dry run naming them without being called, reads are performed, and the plan is
 * stored with the run and shown by the API. The same routes run for real do send.
 */
@Tag("db")
class DryRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static HttpServer server;
    private static com.icegreen.greenmail.util.GreenMail mail;
    private static Engine engine;
    private static Path dir;
    private static final Probe probe = new Probe();
    private static final Counting counting = new Counting();

    /** A processor a runbook calls with {@code process}: Java no bean introspection sees. */
    public static final class Counting implements org.apache.camel.Processor {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void process(org.apache.camel.Exchange exchange) {
            calls.incrementAndGet();
        }
    }

    /** A runbook bean: one method that acts, one taught the dry run, one that only reads. */
    public static final class Probe {
        final AtomicInteger acted = new AtomicInteger();
        final AtomicInteger planned = new AtomicInteger();

        /** A side effect nobody taught the dry run. */
        public String act(String what) {
            acted.incrementAndGet();
            return "acted " + what;
        }

        /** A side effect with dry-run handling. */
        @DryRunSafe
        public String change(String what) {
            var plan = DryRun.current();
            if (plan.isPresent()) {
                planned.incrementAndGet();
                plan.get().wouldDo("probe", "change " + what + " on " + Thread.currentThread().getName().replaceAll("[0-9]", "")
                        .replaceAll(".*Split.*", "split-thread").replaceAll("^(?!split-thread).*", "run-thread"));
                return "would change " + what;
            }
            acted.incrementAndGet();
            return "changed " + what;
        }

        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        /** Holds the run until the test releases it (it only waits). */
        @DryRunSafe
        public void hold() throws InterruptedException {
            release.await(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        @DryRunSafe
        public List<String> items() {
            return List.of("a", "b", "c");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dryrun");
        server = LocalHttp.create();
        server.createContext("/", ex -> {
            received.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            LocalHttp.respond(ex, 200, "text/plain", "ok");
        });
        server.start();
        int smtp = TestEngine.freePort();
        mail = new com.icegreen.greenmail.util.GreenMail(new com.icegreen.greenmail.util.ServerSetup(smtp, "127.0.0.1",
                com.icegreen.greenmail.util.ServerSetup.PROTOCOL_SMTP));
        mail.start();
        String url = LocalHttp.url(server);
        int port = server.getAddress().getPort();
        Path base = dir.resolve("base");
        Files.createDirectories(base.resolve("routes"));
        Files.writeString(base.resolve("routes/dry.camel.yaml"), """
                - route:
                    id: send-hook
                    from:
                      uri: direct:send-hook
                      steps:
                        - setBody:
                            constant: "hello"
                        - to:
                            uri: "%1$s/hook?httpMethod=POST"
                        - setHeader:
                            name: path
                            constant: dynamic
                        - toD:
                            uri: "%1$s/${header.path}?httpMethod=PUT"
                        - wireTap:
                            uri: "%1$s/tapped?httpMethod=POST"
                        - setBody:
                            simple: "${null}"
                        - to:
                            uri: "%1$s/read"
                        - log: "read ${body}"
                - route:
                    id: rest-hook
                    from:
                      uri: direct:rest-hook
                      steps:
                        - setBody:
                            constant: "hello"
                        - to:
                            uri: "rest:post:rest-hook?host=127.0.0.1:%2$d"
                - route:
                    id: bean-act
                    from:
                      uri: direct:bean-act
                      steps:
                        - to:
                            uri: "bean:probe?method=act('x')"
                - route:
                    id: bean-method-expression
                    from:
                      uri: direct:bean-method-expression
                      steps:
                        - setBody:
                            method:
                              ref: probe
                              method: "act('y')"
                - route:
                    id: bean-safe
                    from:
                      uri: direct:bean-safe
                      steps:
                        - bean:
                            ref: probe
                            method: "change('first')"
                        - split:
                            method:
                              ref: probe
                              method: items
                            parallelProcessing: true
                            steps:
                              - to:
                                  uri: "bean:probe?method=change(${body})"
                - route:
                    id: sql-steps
                    from:
                      uri: direct:sql-steps
                      steps:
                        - to:
                            uri: "sql:select count(*) as n from job_run?dataSource=#dataSource&outputType=SelectOne"
                        - setHeader:
                            name: counted
                            simple: "${body}"
                        - to:
                            uri: "sql:update job_run set error = 'touched' where id = -1?dataSource=#dataSource"
                        - setBody:
                            simple: "counted ${header.counted}"
                - route:
                    id: engine-services
                    from:
                      uri: direct:engine-services
                      steps:
                        - to:
                            uri: "bean:notifier?method=enqueue('email', 'ops@example.com', 'Rehearsed', 'body', 'dry-key-1', null)"
                        - to:
                            uri: "bean:incidents?method=raise('DryRunTest/x', 'P2', 'Something broke', 'detail', null)"
                - route:
                    id: unsafe-processor
                    from:
                      uri: direct:unsafe-processor
                      steps:
                        - process:
                            ref: counting
                - route:
                    id: mail-direct
                    from:
                      uri: direct:mail-direct
                      steps:
                        - setHeader:
                            name: Subject
                            constant: "Rehearsal"
                        - setBody:
                            constant: "hello"
                        - to:
                            uri: "smtp://127.0.0.1:%4$d?to=ops@example.com&from=engine@example.com&connectionTimeout=2000"
                - route:
                    id: live-plan
                    from:
                      uri: direct:live-plan
                      steps:
                        - to:
                            uri: "bean:probe?method=change('early')"
                        - to:
                            uri: "bean:probe?method=hold"
                        - to:
                            uri: "bean:probe?method=change('late')"
                - route:
                    id: drop-properties
                    from:
                      uri: direct:drop-properties
                      steps:
                        - removeProperties:
                            pattern: "*"
                        - setProperty:
                            name: RunbookDryRun
                            constant: "no"
                        - setBody:
                            constant: "x"
                        - wireTap:
                            uri: "%1$s/dropped?httpMethod=POST"
                        - split:
                            simple: "a,b"
                            parallelProcessing: true
                            steps:
                              - to:
                                  uri: "%1$s/dropped-split?httpMethod=POST"
                - route:
                    id: only-rehearsed
                    from:
                      uri: direct:only-rehearsed
                      steps:
                        - log: "rehearsed"
                - route:
                    id: metric
                    from:
                      uri: direct:metric
                      steps:
                        - to:
                            uri: "micrometer:counter:dryrun.test.counter"
                - route:
                    id: poll-file
                    from:
                      uri: direct:poll-file
                      steps:
                        - pollEnrich:
                            constant: "file:%3$s?fileName=inbox.txt"
                            timeout: 1000
                """.formatted(url, port, dir.resolve("inbox"), smtp));
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox/inbox.txt"), "keep me");
        engine = TestEngine.start(base, dir.resolve("data"), Map.of("runbook.trading.demo", "false"),
                Map.of("probe", probe, "counting", counting));
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (server != null) {
            server.stop(0);
        }
        if (mail != null) {
            mail.stop();
        }
    }

    private static RunEnd run(String job, RunTrigger trigger) throws Exception {
        return engine.runner().startWatched(job, trigger, Map.of(), Actor.engine("test")).await(Duration.ofSeconds(60)).orElseThrow();
    }

    /** The tables a dry run does write: job_run and the run's own rows (run_plan, the story's run_* tables). */
    static Set<String> runTables() {
        Set<String> tables = new java.util.HashSet<>(Set.of("job_run"));
        tables.addAll(new org.springframework.jdbc.core.JdbcTemplate(engine.dataSource()).queryForList(
                "select lower(table_name) from information_schema.tables where lower(table_name) like 'run\\_%' escape '\\'",
                String.class));
        return tables;
    }

    private static List<String> plan(long id) {
        return engine.runs().plan(id).stream().map(e -> e.kind() + ": " + e.effect()).toList();
    }

    @Test
    void aDryRunRecordsItsRemoteSendsAndSendsNothingAndTheRealRunSends() throws Exception {
        received.clear();
        RunEnd dry = run("send-hook", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        String url = LocalHttp.url(server);
        assertThat(plan(dry.id())).startsWith("http: POST " + url + "/hook", "http: PUT " + url + "/dynamic");
        // the wire tap's copy may record after the route returned: it is stored then
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> plan(dry.id()).size() == 3);
        assertThat(plan(dry.id())).containsExactlyInAnyOrder("http: POST " + url + "/hook", "http: PUT " + url
                + "/dynamic", "http: POST " + url + "/tapped");
        // the GET is a read: performed; nothing else reached the server (the wire tap either)
        org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> received.equals(List.of("GET /read")));
        assertThat(engine.runs().find(dry.id()).orElseThrow().trigger()).isEqualTo("dry-run");

        received.clear();
        RunEnd real = run("send-hook", RunTrigger.MANUAL);
        assertThat(real.status()).isEqualTo(RunStatus.SUCCEEDED);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> received.size() == 4);
        assertThat(received).containsExactlyInAnyOrder("POST /hook", "PUT /dynamic", "POST /tapped", "GET /read");
        assertThat(plan(real.id())).isEmpty();
    }

    @Test
    void aDryRunEmailIsPlannedAndTheMailServerGetsNothing() throws Exception {
        RunEnd dry = run("mail-direct", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(plan(dry.id())).containsExactly("email: email to ops@example.com: subject Rehearsal");
        assertThat(mail.getReceivedMessages()).isEmpty();

        RunEnd real = run("mail-direct", RunTrigger.MANUAL);
        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(mail.getReceivedMessages()).hasSize(1);
        assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("Rehearsal");
    }

    @Test
    void aRemoteProducerWithoutARecorderFailsTheDryRunWithoutSending() throws Exception {
        received.clear();
        RunEnd dry = run("rest-hook", RunTrigger.DRY_RUN);
        assertThat(dry.status()).isEqualTo(RunStatus.FAILED);
        assertThat(dry.error()).isEqualTo("DryRunRefused: dry run: rest://post:rest-hook?host=127.0.0.1:"
                + server.getAddress().getPort() + " acts outside the run and has no dry-run recorder (component rest);"
                + " it was not called");
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(received::isEmpty);
    }

    @Test
    void aComponentCamelCallsLocalButThatActsIsGuardedToo() throws Exception {
        RunEnd dry = run("metric", RunTrigger.DRY_RUN);
        assertThat(dry.status()).isEqualTo(RunStatus.FAILED);
        assertThat(dry.error()).isEqualTo("DryRunRefused: dry run: micrometer://counter:dryrun.test.counter acts outside"
                + " the run and has no dry-run recorder (component micrometer); it was not called");
        assertThat(engine.context().getEndpoint("micrometer:counter:dryrun.test.counter").isRemote()).isFalse();
    }

    @Test
    void aBeanMethodWithoutDryRunSafeFailsTheDryRunNamingItAndIsNotCalled() throws Exception {
        int before = probe.acted.get();
        RunEnd dry = run("bean-act", RunTrigger.DRY_RUN);
        assertThat(dry.status()).isEqualTo(RunStatus.FAILED);
        assertThat(dry.error()).isEqualTo("DryRunRefused: dry run: bean method Probe.act"
                + " (com.runbook.engine.dryrun.DryRunTest$Probe) is not @DryRunSafe; it was not called");
        RunEnd expression = run("bean-method-expression", RunTrigger.DRY_RUN);
        assertThat(expression.status()).isEqualTo(RunStatus.FAILED);
        assertThat(expression.error()).contains("bean method Probe.act (com.runbook.engine.dryrun.DryRunTest$Probe)"
                + " is not @DryRunSafe; it was not called");
        assertThat(probe.acted.get()).isEqualTo(before);

        RunEnd real = run("bean-act", RunTrigger.MANUAL);
        assertThat(real.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(probe.acted.get()).isEqualTo(before + 1);
    }

    @Test
    void aMarkedBeanSeesThePlanOnTheRunThreadAndOnSplitThreads() throws Exception {
        int acted = probe.acted.get();
        RunEnd dry = run("bean-safe", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        List<String> plan = plan(dry.id());
        assertThat(plan.get(0)).isEqualTo("probe: change first on run-thread");
        assertThat(plan.subList(1, 4)).containsExactlyInAnyOrder("probe: change a on split-thread",
                "probe: change b on split-thread", "probe: change c on split-thread");
        assertThat(probe.acted.get()).isEqualTo(acted);
    }

    @Test
    void theEngineServicesRecordInsteadOfQueueingOrOpening() throws Exception {
        Map<String, List<String>> tables = TableSnapshot.of(engine.dataSource(), runTables());
        RunEnd dry = run("engine-services", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(plan(dry.id())).containsExactly("email: email to ops@example.com: subject Rehearsed",
                "incident: open P2 incident DryRunTest/x: Something broke (pages telegram, email)");
        assertThat(TableSnapshot.of(engine.dataSource(), runTables())).isEqualTo(tables);
    }

    @Test
    void aProcessStepWithoutDryRunSafeFailsTheDryRunAndIsNotCalled() throws Exception {
        RunEnd dry = run("unsafe-processor", RunTrigger.DRY_RUN);
        assertThat(dry.status()).isEqualTo(RunStatus.FAILED);
        assertThat(dry.error()).isEqualTo("DryRunRefused: dry run: processor counting is not @DryRunSafe; it was not called");
        assertThat(counting.calls.get()).isZero();
        assertThat(run("unsafe-processor", RunTrigger.MANUAL).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(counting.calls.get()).isEqualTo(1);
    }

    @Test
    void aPollEnrichFailsTheDryRunAndConsumesNothing() throws Exception {
        RunEnd dry = run("poll-file", RunTrigger.DRY_RUN);
        assertThat(dry.status()).isEqualTo(RunStatus.FAILED);
        assertThat(dry.error()).isEqualTo("DryRunRefused: dry run: pollEnrich may consume what it polls (a file moved,"
                + " a message taken); it was not polled");
        assertThat(dir.resolve("inbox/inbox.txt")).hasContent("keep me");
    }

    @Test
    void aRunningDryRunsPlanIsStoredAsItGrows() throws Exception {
        var watched = engine.runner().startWatched("live-plan", RunTrigger.DRY_RUN, Map.of(), Actor.engine("test"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> plan(watched.id()).size() == 1);
        assertThat(plan(watched.id())).containsExactly("probe: change early on run-thread");
        assertThat(engine.runs().find(watched.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        probe.release.countDown();
        RunEnd end = watched.await(Duration.ofSeconds(30)).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(plan(end.id())).containsExactly("probe: change early on run-thread", "probe: change late on run-thread");
    }

    @Test
    void aRouteCannotDropItsPlan() throws Exception {
        received.clear();
        RunEnd dry = run("drop-properties", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> plan(dry.id()).size() == 3);
        assertThat(plan(dry.id())).containsExactlyInAnyOrder("http: POST " + LocalHttp.url(server) + "/dropped",
                "http: POST " + LocalHttp.url(server) + "/dropped-split", "http: POST " + LocalHttp.url(server) + "/dropped-split");
        assertThat(received).isEmpty();
    }

    @Test
    void aDryRunIsNeverTheJobsLastSuccess() throws Exception {
        assertThat(run("only-rehearsed", RunTrigger.DRY_RUN).status()).isEqualTo(RunStatus.SUCCEEDED);
        String metrics = TestEngine.get(engine, "/metrics").body();
        assertThat(metrics).contains("runbook_job_runs_total{job_name=\"only-rehearsed\",status=\"succeeded\",trigger=\"dry-run\"} 1.0");
        assertThat(metrics).doesNotContain("runbook_job_last_success_timestamp_seconds{job_name=\"only-rehearsed\"}");
    }

    @Test
    void aPlanGoesWithItsRun() throws Exception {
        RunEnd dry = run("engine-services", RunTrigger.DRY_RUN);
        assertThat(plan(dry.id())).isNotEmpty();
        new org.springframework.jdbc.core.JdbcTemplate(engine.dataSource()).update("delete from job_run where id = ?", dry.id());
        assertThat(plan(dry.id())).isEmpty();
    }

    @Test
    void sqlReadsArePerformedAndSqlWritesRecorded() throws Exception {
        Map<String, List<String>> tables = TableSnapshot.of(engine.dataSource(), runTables());
        RunEnd dry = run("sql-steps", RunTrigger.DRY_RUN);
        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(String.valueOf(dry.result())).matches("counted [1-9][0-9]*");
        assertThat(plan(dry.id())).containsExactly("sql: update job_run set error = 'touched' where id = -1");
        assertThat(TableSnapshot.of(engine.dataSource(), runTables())).isEqualTo(tables);
    }

    @Test
    void theApiStartsADryRunAndShowsItsPlan() throws Exception {
        received.clear();
        HttpResponse<String> started = TestEngine.post(engine, "/api/jobs/send-hook/run", TestEngine.TOKEN,
                "{\"dryRun\": true}");
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(started.body());
        assertThat(answer.get("dryRun").asBoolean()).isTrue();
        assertThat(answer.get("status").asText()).isEqualTo("running");
        long id = answer.get("runId").asLong();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                !JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body()).get("status").asText().equals("running"));
        JsonNode run = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
        assertThat(run.get("trigger").asText()).isEqualTo("dry-run");
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("params").has("dryRun")).isFalse();
        assertThat(plan(id).get(0)).isEqualTo("http: POST " + LocalHttp.url(server) + "/hook");
        assertThat(run.get("dryRun").asBoolean()).isTrue();
        assertThat(run.get("plan").get(0).get("kind").asText()).isEqualTo("http");
        assertThat(run.get("plan").get(0).get("effect").asText()).isEqualTo("POST " + LocalHttp.url(server) + "/hook");

        HttpResponse<String> form = TestEngine.post(engine, "/api/jobs/bean-safe/run", TestEngine.TOKEN,
                "dryRun=true", "application/x-www-form-urlencoded");
        assertThat(form.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(form.body()).get("dryRun").asBoolean()).isTrue();

        HttpResponse<String> real = TestEngine.post(engine, "/api/jobs/bean-safe/run", TestEngine.TOKEN, "{}");
        assertThat(JSON.readTree(real.body()).get("dryRun").asBoolean()).isFalse();
        long realId = JSON.readTree(real.body()).get("runId").asLong();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                !JSON.readTree(TestEngine.get(engine, "/api/runs/" + realId).body()).get("status").asText().equals("running"));
        assertThat(engine.runs().find(realId).orElseThrow().trigger()).isEqualTo("manual");
        assertThat(plan(realId)).isEmpty();
    }

    @Test
    void aDryRunFlagThatIsNeitherTrueNorFalseIsRefused() throws Exception {
        HttpResponse<String> r = TestEngine.post(engine, "/api/jobs/send-hook/run", TestEngine.TOKEN,
                "{\"dryRun\": \"maybe\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("dryRun must be true or false, not 'maybe'");
    }
}
