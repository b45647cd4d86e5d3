package com.runbook.engine.report;

import com.runbook.engine.settings.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every report and trading database setting has its default in application.properties, read typed. */
class ReportSettingsTest {
    @Test
    void theShippedDefaultsAreRead() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("classpath:application.properties");
            camel.getPropertiesComponent().addOverrideProperty("runbook.data-dir", "/var/rb");
            ReportSettings s = ReportSettings.from(Settings.of(camel));
            assertThat(s.url()).isEqualTo("jdbc:h2:rbheader:retry:/var/rb/trading;NON_KEYWORDS=YEAR,MONTH;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
            assertThat(s.user()).isEqualTo("sa");
            assertThat(s.poolSize()).isEqualTo(4);
            assertThat(s.migrate()).isTrue();
            assertThat(s.demo()).isEqualTo(ReportSettings.Demo.AUTO);
            assertThat(s.seedDemo()).as("auto on the embedded H2").isTrue();
            assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
            assertThat(s.close()).isEqualTo(LocalTime.of(16, 0));
            assertThat(s.holidays()).contains(LocalDate.of(2026, 12, 25)).hasSize(20);
            assertThat(s.emailTo()).isEqualTo(Optional.empty());
            assertThat(s.telegramChat()).isEqualTo(Optional.empty());
            assertThat(s.templatesDir()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void demoIsTrueFalseOrAuto() {
        assertThat(ReportSettings.Demo.parse("False")).isEqualTo(ReportSettings.Demo.FALSE);
        assertThatThrownBy(() -> ReportSettings.Demo.parse("yes"))
                .hasMessage("runbook.trading.demo must be true, false or auto, not 'yes'");
    }
}
