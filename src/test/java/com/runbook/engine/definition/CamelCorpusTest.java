package com.runbook.engine.definition;

import com.runbook.engine.cli.RunbookCli;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real public Camel YAML routes (src/test/resources/camel-corpus, each with its source repository, path and the
 * edits the house rules needed in a header comment) are accepted by validate, or refused only with one of the
 * documented messages. StartVerdictTest starts the engine on each of them too.
 */
class CamelCorpusTest {
    private static final Path CORPUS = Path.of("src/test/resources/camel-corpus");
    /** The corpus files that run here as they are (after the noted edits). */
    private static final Set<String> ACCEPTED = Set.of("cron-log", "delay-action", "log-generator", "message-size",
            "sql", "timer-log", "yaml-error");
    /** What a refusal of a real Camel file may say: something not shipped, something not configured, a real mistake. */
    private static final List<Pattern> DOCUMENTED = Stream.of(
            "route '[a-z0-9-]+', step '\\w+': component '[a-z0-9-]+' is not installed in this engine: put camel-[a-z0-9-]+"
                    + "-<camel version>\\.jar and the jars it needs in lib/ \\(see README, \"Adding a Camel component\"\\)",
            "route '[a-z0-9-]+', step '\\w+': language '[a-z0-9-]+' is not installed in this engine: .*",
            "route '[a-z0-9-]+', step 'circuitBreaker': circuitBreaker needs camel-resilience4j, which is not installed .*",
            "(route '[a-z0-9-]+'|the route at line \\d+), step '\\w+': property '[\\w.-]+' is not defined .*",
            "route has no id: give every route an explicit id",
            "route '[a-z0-9-]+' reads from '.*': every route in routes/ is a job and reads from direct:[a-z0-9-]+; .*",
            "unknown DSL key '[\\w-]+' .*",
            "route '[a-z0-9-]+', step 'to': Cannot find resource: classpath:[\\w.]+ for URI: .*").map(Pattern::compile).toList();

    @Test
    void realCamelFilesAreAcceptedOrRefusedAsDocumented() throws Exception {
        Set<String> accepted = new TreeSet<>();
        List<String> wronglyRefused = new ArrayList<>();
        int refusedAsDocumented = 0;
        List<Path> fixtures;
        try (Stream<Path> dirs = Files.list(CORPUS)) {
            fixtures = dirs.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : fixtures) {
            List<Problem> problems = RunbookCli.validate(dir);
            if (problems.isEmpty()) {
                accepted.add(dir.getFileName().toString());
            } else if (problems.stream().allMatch(p -> DOCUMENTED.stream().anyMatch(d -> d.matcher(p.message()).matches()))) {
                refusedAsDocumented++;
            } else {
                problems.forEach(p -> wronglyRefused.add(p.toString()));
            }
        }
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(20);
        assertThat(wronglyRefused).isEmpty();
        assertThat(accepted).isEqualTo(ACCEPTED);
        assertThat(refusedAsDocumented).isEqualTo(fixtures.size() - ACCEPTED.size());
    }

    @Test
    void everyCorpusFileNamesItsSource() throws Exception {
        try (Stream<Path> files = Files.walk(CORPUS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                assertThat(Files.readAllLines(f).get(0)).as(f.toString()).startsWith("# Source: apache/");
            }
        }
    }
}
