package com.runbook.engine.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped log4j2.xml (not the test one): JSON lines with runId and job when asked for, text otherwise. */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void clear() {
        System.clearProperty("runbook.log.format");
        MDC.clear();
    }

    /** Logs with the shipped configuration and returns what reached standard output. */
    static List<String> logWithShippedConfig() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext("log-format-test");
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ConfigurationSource source = ConfigurationSource.fromUri(LogFormatTest.class.getResource("/log4j2.xml").toURI());
            Configuration configuration = ConfigurationFactory.getInstance().getConfiguration(context, source);
            context.start(configuration);
            Logger log = context.getLogger("com.runbook.engine.run.JobRunner");
            log.info("engine ready");
            MDC.put("runId", "42");
            MDC.put("job", "nightly-backup");
            log.info("Run 42 of nightly-backup started (schedule)");
            log.warn("Run 42 of nightly-backup failed", new IllegalStateException("bucket \"b\" not found"));
            MDC.clear();
        } finally {
            context.stop();
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithRunIdAndJob() throws Exception {
        System.setProperty("runbook.log.format", "json");
        List<String> lines = logWithShippedConfig();
        assertThat(lines).hasSize(3);
        JsonNode ready = JSON.readTree(lines.get(0));
        assertThat(ready.get("message").asText()).isEqualTo("engine ready");
        assertThat(ready.get("level").asText()).isEqualTo("INFO");
        assertThat(ready.get("logger").asText()).isEqualTo("com.runbook.engine.run.JobRunner");
        assertThat(ready.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(ready.has("runId")).isFalse();

        JsonNode started = JSON.readTree(lines.get(1));
        assertThat(started.get("runId").asText()).isEqualTo("42");
        assertThat(started.get("job").asText()).isEqualTo("nightly-backup");
        assertThat(started.get("message").asText()).isEqualTo("Run 42 of nightly-backup started (schedule)");

        JsonNode failed = JSON.readTree(lines.get(2));
        assertThat(failed.get("level").asText()).isEqualTo("WARN");
        assertThat(failed.get("runId").asText()).isEqualTo("42");
        assertThat(failed.get("exception").asText()).startsWith("java.lang.IllegalStateException: bucket \"b\" not found");
    }

    @Test
    void textIsTheDefault() throws Exception {
        List<String> lines = logWithShippedConfig();
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3}Z INFO  \\[.*\\] JobRunner - engine ready");
        assertThat(lines.get(1)).contains("INFO ", "job=nightly-backup run=42 JobRunner - Run 42 of nightly-backup started (schedule)");
        assertThat(lines).anyMatch(l -> l.startsWith("java.lang.IllegalStateException: bucket \"b\" not found"));
    }
}
