package com.runbook.engine.settings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A message about a setting names the environment variable that sets it, as operators set the engine that way. */
class SettingNamesTest {
    @Test
    void aKeyIsNamedWithTheVariableItsDefaultNames() {
        assertThat(Settings.named("runbook.trading.stop-url"))
                .isEqualTo("runbook.trading.stop-url (env RUNBOOK_TRADING_STOP_URL)");
        assertThat(Settings.named("runbook.backup.s3.bucket")).isEqualTo("runbook.backup.s3.bucket (env BACKUP_S3_BUCKET)");
        assertThat(Settings.named("camel.server.port")).isEqualTo("camel.server.port (env RUNBOOK_PORT)");
    }

    @Test
    void aKeyWithoutAVariableOfItsOwnIsNamedWithCamelsUpperCaseForm() {
        assertThat(Settings.named("runbook.trading.alert-topic"))
                .isEqualTo("runbook.trading.alert-topic (env RUNBOOK_TRADING_ALERT_TOPIC)");
    }

    @Test
    void aKeyWithNoValueNamesItsVariable() {
        Settings none = Settings.of(key -> java.util.Optional.empty());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> none.text("runbook.trading.stop-url"))
                .hasMessage("setting runbook.trading.stop-url (env RUNBOOK_TRADING_STOP_URL) has no value:"
                        + " application.properties must declare it");
    }
}
