package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker packaging cannot be built here (no Docker engine); .ci/run checks the compose file with
 * {@code docker compose config -q}. This test keeps the Dockerfile's build on the CI's command and the compose
 * wiring on the engine's real port, paths and settings.
 */
class DockerPackagingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode yaml(String file) throws Exception {
        return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(Path.of(file))));
    }

    @Test
    void theImageBuildsWithTheCiCommandAndRunsAsNonRootWithAHealthcheck() throws Exception {
        String ci = Files.readString(Path.of(".ci/run"));
        List<String> dockerfile = Files.readAllLines(Path.of("docker/Dockerfile"));
        String build = dockerfile.stream().filter(l -> l.startsWith("RUN ./mvnw")).findFirst().orElseThrow();
        assertThat(build).isEqualTo("RUN ./mvnw -B verify -DskipTests");
        assertThat(ci).contains("\n./mvnw -B verify\n").contains("docker/compose.yaml config -q");
        assertThat(dockerfile).filteredOn(l -> l.startsWith("FROM ")).hasSize(2);
        assertThat(dockerfile).contains("USER runbook");
        assertThat(String.join("\n", dockerfile)).contains("HEALTHCHECK").contains("http://localhost:8080/health");
    }

    @Test
    void composeWiresTheEngineToItsNeighbours() throws Exception {
        JsonNode compose = yaml("docker/compose.yaml");
        JsonNode engine = compose.at("/services/engine");
        assertThat(engine.at("/build/dockerfile").asText()).isEqualTo("docker/Dockerfile");
        assertThat(engine.at("/environment/CAMEL_MAIN_PROFILE").asText()).isEqualTo("prod");
        assertThat(engine.at("/environment/RUNBOOK_DB_URL").asText()).isEqualTo("jdbc:postgresql://postgres:5432/runbook");
        assertThat(JSON.convertValue(engine.get("volumes"), List.class))
                .contains("../routes:/opt/runbook/routes", "../schedules:/opt/runbook/schedules");
        assertThat(compose.get("services").fieldNames()).toIterable()
                .contains("engine", "postgres", "minio", "alertmanager", "prometheus", "mailpit", "grafana");

        JsonNode prometheus = yaml("docker/prometheus.yml");
        JsonNode scrape = prometheus.at("/scrape_configs/0");
        assertThat(scrape.get("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(scrape.at("/static_configs/0/targets/0").asText()).isEqualTo("engine:8080");
    }
}
