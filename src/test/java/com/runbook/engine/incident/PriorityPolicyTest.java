package com.runbook.engine.incident;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriorityPolicyTest {
    private final PriorityPolicy policy = ShippedPolicy.with(Map.of(
            "runbook.incident.p1.channels", "telegram,email,pubsub:incident-notifications",
            "runbook.incident.p1.ack-within", "15m",
            "runbook.incident.p1.escalate-to", "email=lead@example.com"));

    @Test
    void priorityLabelWinsThenSeverityThenDefault() {
        assertThat(policy.priorityOf(Map.of("priority", "p4", "alertname", "ServiceDown", "severity", "critical"))).isEqualTo(Priority.P4);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "critical"))).isEqualTo(Priority.P1);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "Major"))).isEqualTo(Priority.P2);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "error"))).isEqualTo(Priority.P2);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "warning"))).isEqualTo(Priority.P3);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "info"))).isEqualTo(Priority.P4);
        assertThat(policy.priorityOf(Map.of("alertname", "X"))).isEqualTo(Priority.P3);
        assertThat(policy.priorityOf(Map.of("alertname", "X", "priority", "urgent"))).isEqualTo(Priority.P3);
    }

    @Test
    void rulesCarryChannelsRecipientsAndWindows() {
        PriorityPolicy.Rule p1 = policy.rule(Priority.P1);
        assertThat(p1.page()).extracting(PriorityPolicy.Target::toString)
                .containsExactly("telegram", "email", "pubsub:incident-notifications");
        assertThat(p1.ackWithin()).isEqualTo(Duration.ofMinutes(15));
        assertThat(p1.escalateTo()).containsExactly(new PriorityPolicy.Target("email", "lead@example.com"));
        assertThat(policy.rule(Priority.P4).page()).isEmpty();
        assertThat(policy.rule(Priority.P4).ackWithin()).isNull();
        assertThat(policy.repeatInterval()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void aBadMappingIsRefusedWithTheEntry() {
        assertThatThrownBy(() -> ShippedPolicy.with(Map.of("runbook.incident.severities", "critical:P0")))
                .hasMessage("runbook.incident.severities: 'critical:P0' is not name:P1..P4");
    }
}
