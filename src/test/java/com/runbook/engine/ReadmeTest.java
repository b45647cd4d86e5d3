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

/** README's jobs table is the on-call engineer's map: it names every shipped runbook, and only those. */
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
}
