package com.runbook.engine.definition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.cli.RunbookCli;
import org.apache.camel.model.ModelCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A routeConfiguration with an id applies to the routes of its own file that name it, on start and on reload, and to
 * no other file's routes, even one whose routeConfiguration has the same id; a route naming a routeConfiguration of
 * another file is refused, by validate and the engine alike.
 */
class RouteConfigurationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RELOAD = Duration.ofSeconds(10);
    /** A job that throws an IllegalStateException, with a routeConfiguration {@code errors} that handles {@code %2$s}. */
    private static final String FILE = """
            - routeConfiguration:
                id: errors
                onException:
                  - onException:
                      exception:
                        - %2$s
                      handled:
                        constant: true
                      steps:
                        - log: "handled by the errors of %1$s"
            - route:
                id: %1$s
                routeConfigurationId: errors
                from:
                  uri: direct:%1$s
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: boom
            """;
    /** A job naming a routeConfiguration its file does not have (another file's). */
    private static final String BORROWER = """
            - route:
                id: borrower
                routeConfigurationId: errors
                from:
                  uri: direct:borrower
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: boom
            """;
    /** A job whose routeConfiguration has an errorHandler (the advice of Isolation's refusal of a top-level one). */
    private static final String DEAD_LETTER = """
            - routeConfiguration:
                id: late-errors
                errorHandler:
                  deadLetterChannel:
                    deadLetterUri: log:late-job-dead
            - route:
                id: late-job
                routeConfigurationId: late-errors
                from:
                  uri: direct:late-job
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: boom
            """;

    @TempDir
    Path dir;

    @Test
    void aFilesRouteConfigurationHandlesOnlyItsOwnRoutesFailuresAndGoesWithTheFile() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Path scoped = base.resolve("routes/scoped-job.camel.yaml");
        Files.writeString(scoped, FILE.formatted("scoped-job", "java.lang.IllegalStateException"));
        // the same configuration id in another file, handling another exception
        Files.writeString(base.resolve("routes/other-job.camel.yaml"), FILE.formatted("other-job", "java.io.IOException"));
        Files.writeString(base.resolve("routes/borrower.camel.yaml"), BORROWER);
        String refusal = "routes/borrower.camel.yaml:3:5: route 'borrower' names routeConfigurationId 'errors', but this"
                + " file has no routeConfiguration with that id: a routeConfiguration applies only to the routes of its"
                + " own file (copy it into this file)";
        assertThat(RunbookCli.validate(base)).map(Problem::toString).containsExactly(refusal);
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of())) {
            assertThat(engine.runbooks().states()).filteredOn(FileState::refused)
                    .singleElement().satisfies(s -> assertThat(s.problems()).containsExactly(refusal));
            assertThat(status(engine, "scoped-job", "{}")).isEqualTo("succeeded");
            // another file's route is not touched by that file's handler, though its own configuration has the same id
            assertThat(status(engine, "other-job", "{}")).isEqualTo("failed");
            assertThat(status(engine, "echo-parameters", "{\"fail\":\"true\"}")).isEqualTo("failed");
            // the configurations were woven into their file's routes as these were built: none is left in Camel
            assertThat(((ModelCamelContext) engine.context()).getRouteConfigurationDefinitions()).isEmpty();

            // on reload: a new file's configuration (an errorHandler) applies to its route
            Files.writeString(base.resolve("routes/late-job.camel.yaml"), DEAD_LETTER);
            await().atMost(RELOAD).until(() -> engine.runbooks().jobs().containsKey("late-job"));
            assertThat(status(engine, "late-job", "{}")).isEqualTo("succeeded");
            assertThat(status(engine, "other-job", "{}")).isEqualTo("failed");

            // the file changes: its route no longer names the configuration, which no longer handles its failure
            Files.writeString(scoped, FILE.formatted("scoped-job", "java.lang.IllegalStateException")
                    .replace("    routeConfigurationId: errors\n", ""));
            await().atMost(RELOAD).until(() -> status(engine, "scoped-job", "{}").equals("failed"));
            // and back; then the file goes, and its job with it
            Files.writeString(scoped, FILE.formatted("scoped-job", "java.lang.IllegalStateException"));
            await().atMost(RELOAD).until(() -> status(engine, "scoped-job", "{}").equals("succeeded"));
            Files.delete(scoped);
            await().atMost(RELOAD).until(() -> !engine.runbooks().jobs().containsKey("scoped-job"));
            assertThat(engine.context().getRoute("scoped-job")).isNull();
            assertThat(((ModelCamelContext) engine.context()).getRouteConfigurationDefinitions()).isEmpty();
            assertThat(status(engine, "other-job", "{}")).isEqualTo("failed");
        }
    }

    private static String status(Engine engine, String job, String body) throws Exception {
        long id = JSON.readTree(post(engine, "/api/jobs/" + job + "/run", TOKEN, body).body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !"running".equals(engine.runs().find(id).orElseThrow().json().get("status")));
        return (String) engine.runs().find(id).orElseThrow().json().get("status");
    }
}
