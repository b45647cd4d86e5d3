package com.runbook.engine.incident;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriorityPolicyTest {
    private final PriorityPolicy policy = PriorityPolicy.from((key, dflt) -> switch (key) {
        case "runbook.incident.p1.channels" -> "telegram,email,pubsub:incident-notifications";
        case "runbook.incident.p1.ack-within" -> "15m";
        case "runbook.incident.p1.escalate-to" -> "email=lead@example.com";
        default -> dflt;
    });

    @Test
    void priorityLabelWinsThenSeverityThenDefault() {
        assertThat(policy.priorityOf(Map.of("priority", "p4", "alertname", "ServiceDown", "severity", "critical"))).isEqualTo("P4");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "critical"))).isEqualTo("P1");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "Major"))).isEqualTo("P2");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "error"))).isEqualTo("P2");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "warning"))).isEqualTo("P3");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "severity", "info"))).isEqualTo("P4");
        assertThat(policy.priorityOf(Map.of("alertname", "X"))).isEqualTo("P3");
        assertThat(policy.priorityOf(Map.of("alertname", "X", "priority", "urgent"))).isEqualTo("P3");
    }

    @Test
    void rulesCarryChannelsRecipientsAndWindows() {
        PriorityPolicy.Rule p1 = policy.rule("P1");
        assertThat(p1.page()).extracting(PriorityPolicy.Target::toString)
                .containsExactly("telegram", "email", "pubsub:incident-notifications");
        assertThat(p1.ackWithin()).isEqualTo(Duration.ofMinutes(15));
        assertThat(p1.escalateTo()).containsExactly(new PriorityPolicy.Target("email", "lead@example.com"));
        assertThat(policy.rule("P4").page()).isEmpty();
        assertThat(policy.rule("P4").ackWithin()).isNull();
        assertThat(policy.repeatInterval()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void aBadMappingIsRefusedWithTheEntry() {
        assertThatThrownBy(() -> PriorityPolicy.from((k, d) -> k.equals("runbook.incident.severities") ? "critical:P0" : d))
                .hasMessage("runbook.incident.severities: 'critical:P0' is not name:P1..P4");
    }
}
