package com.runbook.engine.definition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.cli.RunbookCli;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.get;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A file cannot reach outside itself: each rule of README's "A runbook, annotated", against a real engine. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTE = """
            - route:
                id: %s
                from:
                  uri: %s
                  steps:
                    - log: "ran"
            """;
    /** File → its text; each has one isolation mistake (or is the accepted owner of a bean). */
    private static final Map<String, String> FILES = new TreeMap<>(Map.ofEntries(
            Map.entry("global-handler", """
                    - errorHandler:
                        deadLetterChannel:
                          deadLetterUri: log:dead
                    """ + job("global-handler")),
            Map.entry("global-on-exception", """
                    - onException:
                        handled:
                          constant: true
                        exception:
                          - java.lang.Exception
                    """ + job("global-on-exception")),
            Map.entry("global-intercept", """
                    - interceptFrom:
                        steps:
                          - log: "every input"
                    """ + job("global-intercept")),
            Map.entry("config-without-id", """
                    - routeConfiguration:
                        onException:
                          - onException:
                              handled:
                                constant: true
                              exception:
                                - java.lang.Exception
                    """ + job("config-without-id")),
            Map.entry("takes-engine-bean", withBean("dataSource", "java.util.ArrayList", "takes-engine-bean")),
            Map.entry("bean-owner", withBean("sharedList", "java.util.ArrayList", "bean-owner")),
            Map.entry("bean-thief", withBean("sharedList", "java.util.LinkedList", "bean-thief")),
            Map.entry("refused-with-bean", """
                    - beans:
                        - name: orphanBean
                          type: java.util.ArrayList
                    - route:
                        id: refused-with-bean
                        from:
                          uri: direct:refused-with-bean
                          steps:
                            - to: nosuchthing:foo
                    """),
            Map.entry("api-jobs", job("api-jobs")),
            Map.entry("open-door", ROUTE.formatted("open-door", "platform-http:/open-door")),
            Map.entry("ticker", ROUTE.formatted("ticker", "timer:tick?period=1000")),
            Map.entry("misnamed", ROUTE.formatted("misnamed", "direct:other-name"))));

    @TempDir
    static Path dir;
    Engine engine;
    Path base;

    /** A job whose file binds one bean (line 2, column 13: the bean's name). */
    private static String withBean(String bean, String type, String id) {
        return "- beans:\n    - name: " + bean + "\n      type: " + type + "\n" + job(id);
    }

    private static String job(String id) {
        return ROUTE.formatted(id, "direct:" + id);
    }

    @BeforeAll
    void start() throws Exception {
        base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Files.writeString(base.resolve("routes/" + f.getKey() + ".camel.yaml"), f.getValue());
        }
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private Map<String, List<String>> refused() {
        Map<String, List<String>> refused = new TreeMap<>();
        engine.runbooks().states().stream().filter(FileState::refused).forEach(s -> refused.put(s.file(), s.problems()));
        return refused;
    }

    /** A refused file's entry: its name and its one problem, at line:column. */
    private static Map.Entry<String, List<String>> refusal(String name, String at, String message) {
        return Map.entry(file(name), List.of(file(name) + ":" + at + ": " + message));
    }

    private static String file(String name) {
        return "routes/" + name + ".camel.yaml";
    }

    @Test
    void eachMistakeRefusesOnlyItsFileWithItsMessage() {
        String scope = " would apply to every runbook in the engine: put it in a routeConfiguration with an id and give"
                + " this file's routes routeConfigurationId: <that id> (it then applies to those routes only)";
        assertThat(refused()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                refusal("global-handler", "1:3", "top-level errorHandler" + scope),
                refusal("global-on-exception", "1:3", "top-level onException" + scope),
                refusal("global-intercept", "1:3", "top-level interceptFrom" + scope),
                refusal("config-without-id", "1:3", "a routeConfiguration without an id applies to every runbook in the"
                        + " engine: give it an id and give this file's routes routeConfigurationId: <that id>"),
                refusal("takes-engine-bean", "2:13", "bean 'dataSource' is already bound by the engine: choose another name"),
                refusal("bean-thief", "2:13", "bean 'sharedList' is already bound by routes/bean-owner.camel.yaml: choose another name"),
                refusal("refused-with-bean", "9:15", "route 'refused-with-bean', step 'to': component 'nosuchthing' is"
                        + " not installed in this engine: put camel-nosuchthing-<camel version>.jar and the jars it needs"
                        + " in lib/ (see README, \"Adding a Camel component\")"),
                refusal("api-jobs", "2:5", "route id 'api-jobs' is reserved for the"
                        + " engine's own routes (ids starting with api-, webhook-, console-, cloud-monitoring-, telegram-"
                        + " and every route the engine adds): choose another id"),
                refusal("open-door", "4:12", "route 'open-door' reads from"
                        + " 'platform-http:/open-door': every route in routes/ is a job and reads from direct:open-door;"
                        + " routes/ may not open HTTP endpoints (they would bypass the engine's authentication): start the"
                        + " job with POST /api/jobs/open-door/run or from an alert webhook"),
                refusal("ticker", "4:12", "route 'ticker' reads from"
                        + " 'timer:tick?period=1000': every route in routes/ is a job and reads from direct:ticker; to run it"
                        + " on a timer or cron, write schedules/ticker.yaml (every: or cron:)"),
                refusal("misnamed", "4:12", "route 'misnamed' reads from"
                        + " 'direct:other-name': every route in routes/ is a job and reads from direct:misnamed; a route's"
                        + " direct: name must be its id (a shared step is a job too: call it with to: direct:other-name and"
                        + " give it that id)")));
        assertThat(engine.runbooks().jobs()).containsKeys("bean-owner", "heartbeat", "alert-routing", "echo-parameters");
    }

    @Test
    void validateGivesTheSameVerdictExceptForTheEnginesOwnBeans() throws Exception {
        // validate binds a stand-in of each engine bean (engine-beans.properties): a file taking one is refused there too
        List<String> validate = RunbookCli.validate(base).stream().map(Problem::toString).toList();
        List<String> engines = refused().values().stream().flatMap(List::stream).sorted().toList();
        assertThat(validate).isEqualTo(engines);
    }

    @Test
    void aTopLevelErrorHandlerDoesNotReachOtherRunbooks() throws Exception {
        long id = JSON.readTree(post(engine, "/api/jobs/echo-parameters/run", TOKEN, "{\"fail\":\"true\"}").body())
                .get("runId").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> !"running".equals(engine.runs().find(id).orElseThrow().json().get("status")));
        assertThat(engine.runs().find(id).orElseThrow().json()).containsEntry("status", "failed");
    }

    @Test
    void beansOfRefusedFilesAreNotBoundAndEngineBeansAreNotReplaced() {
        assertThat(engine.context().getRegistry().lookupByName("dataSource")).isInstanceOf(HikariDataSource.class);
        assertThat(engine.context().getRegistry().lookupByName("orphanBean")).isNull();
        assertThat(engine.context().getRegistry().lookupByName("sharedList")).isInstanceOf(java.util.ArrayList.class);
    }

    @Test
    void engineRoutesStayAndNoDoorIsOpened() throws Exception {
        assertThat(get(engine, "/api/jobs").statusCode()).isEqualTo(200);
        assertThat(get(engine, "/open-door").statusCode()).isEqualTo(404);
        assertThat(engine.context().getRoute("ticker")).isNull();
    }

    @Test
    void everyRouteTheEngineAddsHasAReservedPrefix() {
        // validate has no engine to ask: the prefixes must cover every engine route, so both refuse the same ids
        List<String> jobs = List.copyOf(engine.runbooks().jobs().keySet());
        assertThat(engine.context().getRoutes().stream().map(Route::getRouteId).filter(id -> !jobs.contains(id)))
                .isNotEmpty().allMatch(id -> Isolation.isReserved(id, java.util.Set.of()));
    }

    @Test
    @Order(Integer.MAX_VALUE)   // changes the files the other tests look at
    void whenAFileGoesItsBeansGoAndAFileThatWantedTheirNameComesIn() throws Exception {
        Files.delete(base.resolve(file("bean-owner")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !refused().containsKey(file("bean-thief")));
        assertThat(engine.context().getRegistry().lookupByName("sharedList")).isInstanceOf(java.util.LinkedList.class);
        assertThat(engine.runbooks().jobs()).containsKey("bean-thief").doesNotContainKey("bean-owner");

        Files.delete(base.resolve(file("bean-thief")));
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.runbooks().jobs().containsKey("bean-thief"));
        assertThat(engine.context().getRegistry().lookupByName("sharedList")).isNull();
    }
}
