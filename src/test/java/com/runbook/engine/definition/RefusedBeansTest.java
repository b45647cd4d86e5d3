package com.runbook.engine.definition;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A refused file's {@code beans:} are never bound in the engine, not even for a moment, on start and on reload, and an
 * engine bean is never replaced: each bean made from a file records the Camel contexts whose registry it was bound in.
 * A file uses the engine's beans and its own, never another file's.
 */
class RefusedBeansTest {
    private static final Duration RELOAD = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** A job whose file binds a RecordingBean {@code bean} labelled {@code label}; {@code step} is its one step. */
    private static String file(String id, String bean, String label, String step) {
        return """
                - beans:
                    - name: %s
                      type: com.runbook.engine.definition.RecordingBean
                      properties:
                        label: %s
                """.formatted(bean, label) + route(id, step);
    }

    /** A job with one step. */
    private static String route(String id, String step) {
        return """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - %s
                """.formatted(id, id, step);
    }

    private static final String BROKEN_STEP = "to: nosuchthing:foo";

    @Test
    void aRefusedFilesBeansAreNeverBoundAndEngineBeansStay() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Files.writeString(base.resolve("routes/refused-bean.camel.yaml"),
                file("refused-bean", "recordedBean", "refused-at-start", BROKEN_STEP));
        Files.writeString(base.resolve("routes/takes-data-source.camel.yaml"),
                file("takes-data-source", "dataSource", "thief", "log: hi"));
        Path kept = base.resolve("routes/kept-bean.camel.yaml");
        Files.writeString(kept, file("kept-bean", "keptBean", "kept", "log: hi"));
        try (Engine engine = TestEngine.start(base, dir.resolve("data"), Map.of())) {
            String engineContext = engine.context().getName();
            assertThat(engine.runbooks().refusedFiles()).containsExactlyInAnyOrder(
                    "routes/refused-bean.camel.yaml", "routes/takes-data-source.camel.yaml");
            // an applied file's bean is bound in the engine (what makes the recording meaningful)
            assertThat(engine.context().getRegistry().lookupByName("keptBean"))
                    .isInstanceOfSatisfying(RecordingBean.class, b -> assertThat(b.getLabel()).isEqualTo("kept"));
            assertThat(made("kept")).anySatisfy(b -> assertThat(b.contexts()).contains(engineContext));
            // the refused file's bean was made for the check only, never bound in the engine
            assertThat(made("refused-at-start")).isNotEmpty()
                    .allSatisfy(b -> assertThat(b.contexts()).doesNotContain(engineContext));
            assertThat(engine.context().getRegistry().lookupByName("recordedBean")).isNull();
            // a file taking an engine bean's name is refused; it is still checked (every problem listed), in the check only
            assertThat(made("thief")).allSatisfy(b -> assertThat(b.contexts()).doesNotContain(engineContext));
            assertThat(engine.context().getRegistry().lookupByName("dataSource")).isInstanceOf(HikariDataSource.class);

            // on reload: a new refused file, and a refused new version of the applied file
            Files.writeString(base.resolve("routes/refused-later.camel.yaml"),
                    file("refused-later", "laterBean", "refused-on-reload", BROKEN_STEP));
            Files.writeString(kept, file("kept-bean", "keptBean", "kept-v2", BROKEN_STEP));
            await().atMost(RELOAD).until(() -> engine.runbooks().refusedFiles().containsAll(
                    List.of("routes/refused-later.camel.yaml", "routes/kept-bean.camel.yaml")));
            for (String label : List.of("refused-on-reload", "kept-v2")) {
                assertThat(made(label)).as(label).isNotEmpty()
                        .allSatisfy(b -> assertThat(b.contexts()).doesNotContain(engineContext));
            }
            assertThat(engine.context().getRegistry().lookupByName("laterBean")).isNull();
            // the running previous version keeps its own bean
            assertThat(engine.context().getRegistry().lookupByName("keptBean"))
                    .isInstanceOfSatisfying(RecordingBean.class, b -> assertThat(b.getLabel()).isEqualTo("kept"));

            // another file's bean is not this file's to use (it would break when that file goes), though it is bound
            Files.writeString(base.resolve("routes/borrows-bean.camel.yaml"),
                    route("borrows-bean", "bean: {ref: keptBean, method: getLabel}"));
            await().atMost(RELOAD).until(() -> engine.runbooks().refusedFiles().contains("routes/borrows-bean.camel.yaml"));
            assertThat(engine.runbooks().states()).filteredOn(s -> s.file().equals("routes/borrows-bean.camel.yaml"))
                    .singleElement().satisfies(s -> assertThat(s.problems()).containsExactly("routes/borrows-bean.camel.yaml"
                            + ":6:23: route 'borrows-bean', step 'bean': no bean named 'keptBean' (neither the engine nor"
                            + " this file's beans: binds one)"));
        }
    }

    private static List<RecordingBean> made(String label) {
        return RecordingBean.MADE.stream().filter(b -> label.equals(b.getLabel())).toList();
    }
}
