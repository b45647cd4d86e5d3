package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** The environment variables the engine reads: {{env:NAME}} in its properties files, and the log format in log4j2.xml. */
    static Set<String> variablesTheEngineReads() throws Exception {
        String text = Files.readString(Path.of("src/main/resources/application.properties"))
                + Files.readString(Path.of("src/main/resources/application-prod.properties"))
                + Files.readString(Path.of("src/main/resources/log4j2.xml"));
        Matcher m = Pattern.compile("\\{\\{env:([A-Z0-9_]+)|EnvironmentArbiter propertyName=\"([A-Z0-9_]+)\"").matcher(text);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return names;
    }

    /** CAMEL_MAIN_PROFILE is Camel Main's camel.main.profile: true when Camel Main has that option. */
    static boolean isCamelMainOption(String variable) {
        if (!variable.startsWith("CAMEL_MAIN_")) {
            return false;
        }
        String option = "set" + variable.substring("CAMEL_MAIN_".length()).replace("_", "");
        return Arrays.stream(org.apache.camel.main.MainConfigurationProperties.class.getMethods())
                .anyMatch(method -> method.getName().equalsIgnoreCase(option) && method.getParameterCount() == 1);
    }

    @Test
    void everyVariableComposeSetsForTheEngineIsOneTheEngineReads() throws Exception {
        Set<String> read = variablesTheEngineReads();
        List<String> unread = new ArrayList<>();
        yaml("docker/compose.yaml").at("/services/engine/environment").fieldNames().forEachRemaining(name -> {
            if (!read.contains(name) && !isCamelMainOption(name)) {
                unread.add(name);
            }
        });
        assertThat(unread).as("set in docker/compose.yaml for the engine but read nowhere").isEmpty();
        assertThat(read).contains("RUNBOOK_SMTP_URI", "BACKUP_S3_ENDPOINT", "RUNBOOK_ALERTMANAGER_TOKEN", "RUNBOOK_LOG_FORMAT");
        assertThat(isCamelMainOption("CAMEL_MAIN_PROFILE")).isTrue();
        assertThat(isCamelMainOption("CAMEL_MAIN_NO_SUCH_OPTION")).isFalse();
    }

    @Test
    void alertmanagerPostsToTheWebhookWithTheEnginesBearerToken() throws Exception {
        JsonNode hook = yaml("docker/alertmanager.yml").at("/receivers/0/webhook_configs/0");
        assertThat(hook.get("url").asText()).isEqualTo("http://engine:8080/webhooks/alertmanager");
        assertThat(hook.at("/http_config/authorization/type").asText()).isEqualTo("Bearer");
        String tokenFile = hook.at("/http_config/authorization/credentials_file").asText();
        assertThat(tokenFile).isNotBlank();
        // compose writes that file from the same variable the engine checks the token against
        JsonNode compose = yaml("docker/compose.yaml");
        JsonNode alertmanager = compose.at("/services/alertmanager");
        assertThat(alertmanager.at("/entrypoint/2").asText()).contains("> " + tokenFile + " ").contains("$$RUNBOOK_ALERTMANAGER_TOKEN");
        assertThat(alertmanager.at("/environment/RUNBOOK_ALERTMANAGER_TOKEN").asText())
                .isEqualTo(compose.at("/services/engine/environment/RUNBOOK_ALERTMANAGER_TOKEN").asText());
        assertThat(Files.readString(Path.of("src/main/resources/application.properties")))
                .contains("runbook.alert.alertmanager.token={{env:RUNBOOK_ALERTMANAGER_TOKEN:}}");
    }
}
