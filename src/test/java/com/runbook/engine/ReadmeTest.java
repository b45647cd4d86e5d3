package com.runbook.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README is what an on-call engineer copies from: its jobs table names every shipped runbook, and only those, and its
 * curl examples send JSON the way the API accepts it.
 */
class ReadmeTest {
    @Test
    void theJobsTableListsEveryShippedRunbook() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## The jobs\n");
        assertThat(start).as("README has a section '## The jobs'").isPositive();
        String section = readme.substring(start + 1, readme.indexOf("\n## ", start + 1));
        List<String> listed = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(section);
        while (row.find()) {
            listed.add(row.group(1));
        }
        List<String> shipped;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            shipped = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml"))
                    .map(n -> n.substring(0, n.length() - ".camel.yaml".length())).sorted().toList();
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(shipped);
    }

    /**
     * {@code curl -d} without a Content-Type sends a form, which every JSON endpoint answers with 415 (its raw bytes are
     * gone by then): so each example that sends a JSON body says {@code Content-Type: application/json}.
     */
    @Test
    void everyCurlExampleSendingJsonSaysSo() throws Exception {
        String commands = Files.readString(Path.of("README.md")).replace("\\\n", " ");   // one line per command
        List<String> curls = commands.lines().map(String::strip).filter(l -> l.startsWith("curl ")).toList();
        assertThat(curls).as("README's curl examples").hasSizeGreaterThan(10);
        List<String> jsonWithoutType = curls.stream()
                .filter(l -> l.matches(".* (-d|--data) +('\\{|\"\\$body\").*"))
                .filter(l -> !l.contains("Content-Type: application/json")).toList();
        assertThat(jsonWithoutType).isEmpty();
    }
}
