package com.runbook.engine.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
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

/** A routeConfiguration with an id applies to the routes of its file that name it, in the engine as in validate. */
class RouteConfigurationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILE = """
            - routeConfiguration:
                id: %1$s-errors
                onException:
                  - onException:
                      exception:
                        - java.lang.IllegalStateException
                      handled:
                        constant: true
                      steps:
                        - log: "handled by %1$s-errors"
            - route:
                id: %1$s
                routeConfigurationId: %1$s-errors
                from:
                  uri: direct:%1$s
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: boom
            """;

    @TempDir
    Path dir;

    @Test
    void aFilesRouteConfigurationHandlesItsRoutesFailuresOnlyAndGoesWithTheFile() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Files.writeString(base.resolve("routes/scoped-job.camel.yaml"), FILE.formatted("scoped-job"));
        assertThat(com.runbook.engine.cli.RunbookCli.validate(base)).isEmpty();
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of())) {
            assertThat(status(engine, "scoped-job", "{}")).isEqualTo("succeeded");
            // another runbook is not touched by that file's handler: its failure stays a failure
            assertThat(status(engine, "echo-parameters", "{\"fail\":\"true\"}")).isEqualTo("failed");
        }
    }

    private static String status(Engine engine, String job, String body) throws Exception {
        long id = JSON.readTree(post(engine, "/api/jobs/" + job + "/run", TOKEN, body).body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !"running".equals(engine.runs().find(id).orElseThrow().get("status")));
        return (String) engine.runs().find(id).orElseThrow().get("status");
    }
}
