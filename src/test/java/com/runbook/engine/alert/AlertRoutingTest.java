package com.runbook.engine.alert;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How alert-routing's decision changes an alert: its priority, unless the alert has a priority label. */
class AlertRoutingTest {
    private static AlertEvent alert(String priority, Map<String, String> labels) {
        return new AlertEvent("alertmanager", "fp", "firing", "ServiceDown", priority, "t", null, labels, Map.of(), null, null);
    }

    @Test
    void theRoutedPriorityReplacesTheOneFromTheSeverity() {
        AlertEvent routed = AlertIntake.routed(alert("P4", Map.of("severity", "info")), new AlertIntake.Routing("P1", null));
        assertThat(routed.priority()).isEqualTo("P1");
        assertThat(routed.incidentKey()).isEqualTo("ServiceDown/fp");
    }

    @Test
    void aPriorityLabelWinsOverTheRoute() {
        assertThat(AlertIntake.routed(alert("P4", Map.of("priority", "P4")), new AlertIntake.Routing("P1", "x"))
                .priority()).isEqualTo("P4");
    }

    @Test
    void withoutARoutedPriorityTheAlertIsUnchanged() {
        AlertEvent a = alert("P3", Map.of());
        assertThat(AlertIntake.routed(a, AlertIntake.Routing.NONE)).isSameAs(a);
        assertThat(AlertIntake.routed(a, new AlertIntake.Routing(null, "dns-failover"))).isSameAs(a);
    }
}
