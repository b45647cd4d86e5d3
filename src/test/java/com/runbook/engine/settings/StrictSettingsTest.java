package com.runbook.engine.settings;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Unknown settings stop the engine with one line per name, naming the nearest known one: the messages are a contract. */
class StrictSettingsTest {
    private static final KnownSettings KNOWN = KnownSettings.fromClasspath();

    private static void check(Collection<String> keys, Collection<String> env) {
        Settings.requireKnown(KNOWN, keys, env);
    }

    @Test
    void aMisspelledKeyNamesTheNearestKnownKey() {
        assertThatThrownBy(() -> check(List.of("runbook.notfy.email.to"), List.of()))
                .isInstanceOf(UnknownSettingException.class)
                .hasMessage("unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)");
    }

    @Test
    void aRetiredKeyOrItsVariableSaysWhatDecidesInstead() {
        assertThatThrownBy(() -> check(List.of("runbook.alert.jobs"), List.of("RUNBOOK_INCIDENT_ALERTNAMES")))
                .isInstanceOf(UnknownSettingException.class)
                .hasMessage("setting runbook.alert.jobs is no longer read: the route alert-routing in routes/ decides"
                        + " which runbook an alert starts\n"
                        + "setting RUNBOOK_INCIDENT_ALERTNAMES is no longer read: the route alert-routing in routes/"
                        + " decides an alert's priority");
    }

    @Test
    void severalUnknownKeysAreAllListedOneLineEach() {
        assertThatThrownBy(() -> check(List.of("runbook.db.pool-sise", "runbook.notfy.email.to", "runbook.db.url"),
                List.of()))
                .hasMessage("unknown setting runbook.db.pool-sise (did you mean runbook.db.pool-size?)\n"
                        + "unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)");
    }

    @Test
    void aMisspelledKeyOfAFamilyNamesTheFamilysKeyWithTheSameName() {
        assertThatThrownBy(() -> check(List.of("runbook.backup.source.trading.pasword"), List.of()))
                .hasMessage("unknown setting runbook.backup.source.trading.pasword"
                        + " (did you mean runbook.backup.source.trading.password?)");
        assertThatThrownBy(() -> check(List.of("runbook.watchdog.endpoint.api.restart-hok"), List.of()))
                .hasMessage("unknown setting runbook.watchdog.endpoint.api.restart-hok"
                        + " (did you mean runbook.watchdog.endpoint.api.restart-hook?)");
    }

    @Test
    void aMisspelledEnvironmentVariableNamesTheNearestKnownOne() {
        assertThatThrownBy(() -> check(List.of(), List.of("PATH", "RUNBOOK_SMTP_UIR")))
                .hasMessage("unknown setting RUNBOOK_SMTP_UIR (did you mean RUNBOOK_SMTP_URI?)");
        assertThatThrownBy(() -> check(List.of(), List.of("RUNBOOK_API_TOKN")))
                .hasMessage("unknown setting RUNBOOK_API_TOKN (did you mean RUNBOOK_API_TOKEN?)");
    }

    @Test
    void unknownKeysComeBeforeUnknownVariables() {
        assertThatThrownBy(() -> check(List.of("runbook.nod"), List.of("RUNBOOK_NOD")))
                .hasMessage("unknown setting runbook.nod (did you mean runbook.node?)\n"
                        + "unknown setting RUNBOOK_NOD (did you mean RUNBOOK_NODE?)");
    }

    @Test
    void aMisspelledKeyInAPropertiesFileCamelReadsIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application-extra.properties");
        Files.writeString(file, "runbook.scheduler.thread=4\ncamel.main.name=x\n");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().addLocation("file:" + file);
            assertThatThrownBy(() -> Settings.requireKnown(camel, Map.of()))
                    .hasMessage("unknown setting runbook.scheduler.thread (did you mean runbook.scheduler.threads?)");
        }
    }

    @Test
    void aMisspelledOverrideOrSystemPropertyIsRefused() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertThatThrownBy(() -> Settings.requireKnown(camel, Map.of("runbook.data-dri", "/tmp/x")))
                    .hasMessage("unknown setting runbook.data-dri (did you mean runbook.data-dir?)");
            System.setProperty("runbook.histroy.retention", "1d");
            try {
                assertThatThrownBy(() -> Settings.requireKnown(camel, Map.of()))
                        .hasMessage("unknown setting runbook.histroy.retention (did you mean runbook.history.retention?)");
            } finally {
                System.clearProperty("runbook.histroy.retention");
            }
        }
    }

    /** A runbook's own setting ({{runbook.desk.recipient}} in a route file) may be set; a misspelling of it may not. */
    @Test
    void aKeyTheRouteFilesNameIsAccepted(@TempDir Path base) throws Exception {
        Files.createDirectories(base.resolve("routes"));
        Files.writeString(base.resolve("routes/desk.camel.yaml"), "- route:\n    id: desk\n    from:\n"
                + "      uri: direct:desk\n      steps:\n        - log: \"to {{runbook.desk.recipient}} and"
                + " {{ runbook.desk.cc:nobody }}\"\n");
        Set<String> routeKeys = com.runbook.engine.definition.Runbooks.placeholderKeys(base);
        assertThat(routeKeys).containsExactly("runbook.desk.cc", "runbook.desk.recipient");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertThatCode(() -> Settings.requireKnown(camel, Map.of("runbook.desk.recipient", "ops@example.com"),
                    routeKeys)).doesNotThrowAnyException();
            assertThatThrownBy(() -> Settings.requireKnown(camel, Map.of("runbook.desk.recipent", "ops@example.com"),
                    routeKeys)).hasMessage("unknown setting runbook.desk.recipent (did you mean runbook.desk.recipient?)");
        }
    }

    @Test
    void everyDeclaredKeyFamilyEnvironmentFormAndOtherNameIsAccepted() {
        assertThatCode(() -> check(KNOWN.keys(), KNOWN.envNames())).doesNotThrowAnyException();
        assertThatCode(() -> check(List.of("runbook.backup.source.blob.command", "runbook.dns.target.a.health-url",
                "runbook.watchdog.endpoint.market-data.failures-before-alert", "runbook.test.postgres",
                "runbook.log.format", "camel.server.port", "runbook"),
                List.of("RUNBOOK_NOTIFY_EMAIL_TO", "RUNBOOK_BACKUP_SOURCE_TRADING_URL", "RUNBOOK_TEST_POSTGRES",
                        "RUNBOOK_HOME", "RUNBOOK_URL", "RUNBOOK_LIB", "RUNBOOK_LOG_FORMAT", "BACKUP_SOURCES", "HOME")))
                .doesNotThrowAnyException();
    }

    @Test
    void aStarIsOneNameWithoutDots() {
        assertThatThrownBy(() -> check(List.of("runbook.dns.target.a.b.value"), List.of()))
                .hasMessage("unknown setting runbook.dns.target.a.b.value (did you mean runbook.dns.targets?)");
    }

    @Test
    void theFilesOwnKeysAndProfilesAreDeclared() throws IOException {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("classpath:application.properties,classpath:application-prod.properties");
            assertThatCode(() -> Settings.requireKnown(camel, Map.of())).doesNotThrowAnyException();
        }
    }

    /**
     * What the scripts, the Docker files and CI set must start an engine, not stop it: every RUNBOOK_* variable they
     * or the docs name, and every runbook.* key they set.
     */
    @Test
    void everyRunbookVariableAndKeyTheRepositoryMentionsIsKnown() throws IOException {
        Pattern env = Pattern.compile("\\bRUNBOOK_[A-Z0-9_]*[A-Z0-9]\\b");
        Pattern key = Pattern.compile("(?:-D|^\\s*|\\s)(runbook\\.[a-z0-9.-]+)=", Pattern.MULTILINE);
        TreeSet<String> envs = new TreeSet<>();
        TreeSet<String> keys = new TreeSet<>();
        List<Path> files = new ArrayList<>(List.of(Path.of("runbook")));
        for (String dir : List.of("docker", "bench", ".ci")) {
            if (Files.isDirectory(Path.of(dir))) {
                try (Stream<Path> s = Files.walk(Path.of(dir))) {
                    s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".jfr")).forEach(files::add);
                }
            }
        }
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException | java.io.UncheckedIOException e) {
                continue;   // not text
            }
            Matcher m = env.matcher(text);
            while (m.find()) {
                envs.add(m.group());
            }
            m = key.matcher(text);
            while (m.find()) {
                keys.add(m.group(1));
            }
        }
        for (String doc : List.of("README.md", "src/main/resources/application.properties",
                "src/main/resources/log4j2.xml")) {
            Matcher m = env.matcher(Files.readString(Path.of(doc)));
            while (m.find()) {
                envs.add(m.group());
            }
        }
        List<String> unknown = KNOWN.unknown(keys, envs);
        assertThat(unknown).isEmpty();
    }
}
