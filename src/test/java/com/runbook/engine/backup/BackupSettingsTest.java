package com.runbook.engine.backup;

import com.runbook.engine.settings.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every backup and maintenance setting has its default in application.properties, read typed. */
class BackupSettingsTest {
    @Test
    void theShippedDefaultsAreRead() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("classpath:application.properties");
            camel.getPropertiesComponent().addOverrideProperty("runbook.data-dir", "/var/rb");
            BackupSettings s = BackupSettings.from(Settings.of(camel));
            assertThat(s.store()).isEqualTo(BackupSettings.Store.LOCAL);
            assertThat(s.localRoot()).isEqualTo(Path.of("/var/rb/objects"));
            assertThat(s.sources()).containsExactly("engine-db", "runbooks");
            assertThat(s.maintenanceSources()).containsExactly("critical-tables");
            assertThat(s.keepDaily()).isEqualTo(7);
            assertThat(s.keepWeekly()).isEqualTo(4);
            assertThat(s.retentionDryRun()).isFalse();
            assertThat(s.incidentPriority()).isEqualTo("P2");
            assertThat(s.pgDump()).isEqualTo("pg_dump");
            assertThat(s.tmpDir()).isEqualTo(Path.of("/var/rb/tmp"));
            assertThat(s.drillReportTo()).isEqualTo(Optional.empty());
            assertThat(s.s3()).isEqualTo(new BackupSettings.S3("", "us-east-1", Optional.empty(), false, Optional.empty(),
                    "", "", "", 16 * 1024 * 1024, 2));
            assertThat(s.maintenance()).isEqualTo(new BackupSettings.Sunday(Optional.empty(), "P2", "trading",
                    "market_bars", "bar_time", "id", Duration.ofDays(30), 5000));
        }
    }

    @Test
    void theStoreIsLocalOrS3() {
        assertThat(BackupSettings.Store.parse("s3")).isEqualTo(BackupSettings.Store.S3);
        assertThatThrownBy(() -> BackupSettings.Store.parse("ftp"))
                .hasMessage("runbook.backup.store must be local or s3, was 'ftp'");
    }
}
