package com.runbook.engine.alert;

import com.runbook.engine.definition.Role;
import com.runbook.engine.incident.Priority;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which labels of an alert become parameters of the run it starts. */
class AlertParametersTest {
    private static AlertEvent alert(Map<String, String> labels) {
        return new AlertEvent("generic", "fp", "firing", "RegionDown", Priority.P1, "Region down", "", labels, Map.of(),
                null, null);
    }

    @Test
    void aGuardedRunbookTakesOnlyTheReasonFromTheAlert() {
        AlertEvent crafted = alert(Map.of("alertname", "RegionDown", "target", "6.6.6.6", "force", "true",
                "dryRun", "false", "reason", "eu-west down"));
        assertThat(AlertIntake.parameters(true, crafted)).containsExactly(Map.entry("reason", "eu-west down"));
        assertThat(AlertIntake.parameters(true, alert(Map.of("target", "6.6.6.6"))))
                .containsExactly(Map.entry("reason", "alert RegionDown"));
    }

    @Test
    void theShippedGuardedRunbooksAndEveryRunbookThatNeedsAdminAreGuarded() {
        for (String job : AlertIntake.GUARDED) {
            for (Role declared : Role.values()) {
                assertThat(AlertIntake.guarded(job, declared)).as(job + " declaring " + declared).isTrue();
            }
        }
        assertThat(AlertIntake.guarded("purge-market-data", Role.ADMIN)).isTrue();
        assertThat(AlertIntake.guarded("purge-market-data", Role.OPERATOR)).isFalse();
        assertThat(AlertIntake.guarded("echo-parameters", Role.VIEWER)).isFalse();
    }

    @Test
    void anOrdinaryRunbookTakesTheLabelsButTheEnginesAndCamelsHeaders() {
        AlertEvent e = alert(Map.of("desk", "fx", "RunbookTrigger", "api", "camelHttpUri", "http://x", "dryRun", "true"));
        assertThat(AlertIntake.parameters(false, e)).containsExactly(Map.entry("desk", "fx"));
    }
}
