package com.runbook.engine.alert;

import com.runbook.engine.incident.Priority;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How alert-routing's decision changes an alert: its priority, unless the alert has a priority label. */
class AlertRoutingTest {
    private static AlertEvent alert(Priority priority, Map<String, String> labels) {
        return new AlertEvent("alertmanager", "fp", "firing", "ServiceDown", priority, "t", null, labels, Map.of(), null, null);
    }

    @Test
    void theRoutedPriorityReplacesTheOneFromTheSeverity() {
        AlertEvent routed = AlertIntake.routed(alert(Priority.P4, Map.of("severity", "info")), new AlertIntake.Routing(Priority.P1, null));
        assertThat(routed.priority()).isEqualTo(Priority.P1);
        assertThat(routed.incidentKey()).isEqualTo("ServiceDown/fp");
    }

    @Test
    void aPriorityLabelWinsOverTheRoute() {
        assertThat(AlertIntake.routed(alert(Priority.P4, Map.of("priority", "P4")), new AlertIntake.Routing(Priority.P1, "x"))
                .priority()).isEqualTo(Priority.P4);
    }

    @Test
    void withoutARoutedPriorityTheAlertIsUnchanged() {
        AlertEvent a = alert(Priority.P3, Map.of());
        assertThat(AlertIntake.routed(a, AlertIntake.Routing.NONE)).isSameAs(a);
        assertThat(AlertIntake.routed(a, new AlertIntake.Routing(null, "dns-failover"))).isSameAs(a);
    }
}
