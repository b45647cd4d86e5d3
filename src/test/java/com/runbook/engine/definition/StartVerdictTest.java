package com.runbook.engine.definition;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.cli.RunbookCli;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18's rule: for every fixture folder (src/test/resources/validate, and the Camel corpus), {@code validate}'s
 * verdict is the verdict of a real engine start on the same files. A file is refused at start exactly when validate
 * reports it, every problem the start gives is one validate gives (same file, line, column and text), and the routes
 * of every file validate accepts are running in the engine.
 */
class StartVerdictTest {
    private static final Pattern REFUSED = Pattern.compile("Refused (\\S+): (.*)", Pattern.DOTALL);

    static Stream<Path> fixtures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String root : new String[] {"src/test/resources/validate", "src/test/resources/camel-corpus"}) {
            if (Files.isDirectory(Path.of(root))) {
                try (Stream<Path> dirs = Files.list(Path.of(root))) {
                    dirs.filter(Files::isDirectory).sorted().forEach(all::add);
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void validateAndTheEngineStartGiveTheSameVerdict(Path fixture, @TempDir Path tmp) throws Exception {
        List<Problem> validated = RunbookCli.validate(fixture);
        Path base = copy(fixture, tmp.resolve("base"));
        List<String> refusals = Collections.synchronizedList(new ArrayList<>());
        AbstractAppender capture = new AbstractAppender("start-verdict", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                refusals.add(event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        LoggerConfig logger = ((LoggerContext) LogManager.getContext(false)).getConfiguration()
                .getLoggerConfig(Runbooks.class.getName());
        logger.addAppender(capture, null, null);
        Engine engine = null;
        try {
            engine = TestEngine.start(base, tmp.resolve("data"), java.util.Map.of());
            Set<String> refusedAtStart = new TreeSet<>();
            Set<String> startProblems = new TreeSet<>();
            for (String line : List.copyOf(refusals)) {
                Matcher m = REFUSED.matcher(line);
                if (m.matches()) {
                    refusedAtStart.add(m.group(1));
                    startProblems.add(m.group(2));
                }
            }
            Set<String> refusedByValidate = new TreeSet<>();
            validated.forEach(p -> refusedByValidate.add(p.file()));
            assertThat(refusedAtStart).as("files the start refused").isEqualTo(refusedByValidate);
            assertThat(validated.stream().map(Problem::toString).toList()).as("validate's problems")
                    .containsAll(startProblems);
            for (Path file : Runbooks.files(base.resolve("routes"), Runbooks.ROUTE_SUFFIX)) {
                String name = Runbooks.display(base, file);
                if (!refusedByValidate.contains(name)) {
                    for (String id : RouteFile.parse(engine.context(), file, name).routeIds()) {
                        assertThat(engine.context().getRoute(id)).as("route " + id + " of " + name + " runs").isNotNull();
                    }
                }
            }
        } finally {
            logger.removeAppender("start-verdict");
            if (engine != null) {
                engine.close();
            }
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Files.createDirectories(to.resolve("routes"));
        Files.createDirectories(to.resolve("schedules"));
        return to;
    }
}
