package com.runbook.engine.definition;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kamelet catalog 4.16.0 runs on the engine's Camel 4.17: a job that calls kamelets does what they say. */
class KameletTest {

    @Test
    void aJobRunsKameletsFromTheCatalog(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Files.createDirectories(base.resolve("routes"));
        Files.createDirectories(base.resolve("schedules"));
        Files.writeString(base.resolve("routes/kamelet-greeting.camel.yaml"), """
                - route:
                    id: kamelet-greeting
                    from:
                      uri: direct:kamelet-greeting
                      steps:
                        - to: "kamelet:insert-header-action?name=greeting&value=hello ${body}"
                        - kamelet:
                            name: "log-sink?showHeaders=true"
                        - setBody:
                            simple: "${header.greeting}"
                """);
        assertThat(com.runbook.engine.cli.RunbookCli.validate(base)).isEmpty();
        try (Engine engine = TestEngine.start(base, tmp.resolve("data"), Map.of());
             ProducerTemplate template = engine.context().createProducerTemplate()) {
            assertThat(engine.runbooks().jobs()).containsKey("kamelet-greeting");
            assertThat(template.requestBody("direct:kamelet-greeting", "ops", String.class)).isEqualTo("hello ops");
        }
    }
}
