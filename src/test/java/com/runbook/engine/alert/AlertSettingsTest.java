package com.runbook.engine.alert;

import com.runbook.engine.ShippedSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alert intake's settings come from application.properties alone: its defaults, typed, and its refusals. */
class AlertSettingsTest {
    @Test
    void theShippedDefaults() {
        AlertSettings s = AlertSettings.from(ShippedSettings.with(Map.of()));
        assertThat(s.sources()).containsOnlyKeys("alertmanager", "grafana", "generic");
        assertThat(s.sources().values()).containsOnly(new AlertSettings.Credentials("", ""));
        assertThat(s.reloadWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.pubsubUri()).isEmpty();
    }

    @Test
    void eachSourceHasItsOwnCredentials() {
        AlertSettings s = AlertSettings.from(ShippedSettings.with(Map.of("runbook.alert.grafana.token", "g-token",
                "runbook.alert.generic.hmac-secret", "g-secret", "runbook.alert.pubsub.uri", "google-pubsub:p:s")));
        assertThat(s.sources().get("grafana")).isEqualTo(new AlertSettings.Credentials("g-token", ""));
        assertThat(s.sources().get("generic")).isEqualTo(new AlertSettings.Credentials("", "g-secret"));
        assertThat(s.pubsubUri()).contains("google-pubsub:p:s");
    }

    @Test
    void aBadReloadWaitStopsTheStartNamingTheKey() {
        assertThatThrownBy(() -> AlertSettings.from(ShippedSettings.with(Map.of("runbook.alert.reload-wait", "ten"))))
                .hasMessageStartingWith("runbook.alert.reload-wait: ");
    }
}
