package com.runbook.engine.schedule;

import com.runbook.engine.settings.Settings;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scheduler's settings come from application.properties only: its defaults, or what overrides them. */
class SchedulerSettingsTest {
    /** The shipped file's runbook.scheduler.* values, their {{env:NAME:default}} placeholders resolved to the default. */
    static Map<String, String> shipped() throws Exception {
        Properties p = new Properties();
        try (InputStream in = SchedulerSettingsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        Map<String, String> values = new HashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("runbook.scheduler.")).forEach(k -> values.put(k,
                p.getProperty(k).replaceAll("^\\{\\{env:[A-Z_]+:(.*)}}$", "$1")));
        return values;
    }

    @Test
    void theShippedDefaults() throws Exception {
        Map<String, String> values = shipped();
        SchedulerSettings s = SchedulerSettings.from(Settings.of(k -> Optional.ofNullable(values.get(k))));
        assertThat(s).isEqualTo(new SchedulerSettings(SchedulerSettings.Store.RAM, false, "runbook", 50,
                Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofMillis(7500), Duration.ofSeconds(10)));
        assertThat(s.persistent()).isFalse();
    }

    @Test
    void clusteredKeepsTriggersInTheDatabase() throws Exception {
        Map<String, String> values = shipped();
        values.put("runbook.scheduler.clustered", "true");
        assertThat(SchedulerSettings.from(Settings.of(k -> Optional.ofNullable(values.get(k)))).persistent()).isTrue();
        values.put("runbook.scheduler.clustered", "false");
        values.put("runbook.scheduler.store", "jdbc");
        assertThat(SchedulerSettings.from(Settings.of(k -> Optional.ofNullable(values.get(k)))).persistent()).isTrue();
    }

    @Test
    void aKeyTheFileDoesNotDeclareHasNoDefaultInCode() throws Exception {
        Map<String, String> values = shipped();
        values.remove("runbook.scheduler.lead");
        assertThatThrownBy(() -> SchedulerSettings.from(Settings.of(k -> Optional.ofNullable(values.get(k)))))
                .hasMessageContaining("runbook.scheduler.lead");
    }
}
