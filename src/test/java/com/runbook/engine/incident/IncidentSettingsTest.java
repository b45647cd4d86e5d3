package com.runbook.engine.incident;

import com.runbook.engine.ShippedSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The incident settings come from application.properties alone: its defaults, typed, and its refusals. */
class IncidentSettingsTest {
    @Test
    void theShippedDefaults() {
        IncidentSettings s = IncidentSettings.from(ShippedSettings.with(Map.of()));
        assertThat(s.escalationCheck()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.telegramAckUri()).isEmpty();
        assertThat(s.telegramAckChats()).isEmpty();
        PriorityPolicy policy = ShippedPolicy.with(Map.of());
        assertThat(policy.rule(Priority.P1).page()).extracting(PriorityPolicy.Target::toString)
                .containsExactly("telegram", "email", "pubsub:incident-notifications");
        assertThat(policy.rule(Priority.P1).ackWithin()).isEqualTo(Duration.ofMinutes(15));
        assertThat(policy.rule(Priority.P2).ackWithin()).isEqualTo(Duration.ofMinutes(30));
        assertThat(policy.rule(Priority.P2).escalateTo()).containsExactly(new PriorityPolicy.Target("email", "oncall-lead@localhost"));
        assertThat(policy.rule(Priority.P3).page()).extracting(PriorityPolicy.Target::toString).containsExactly("email");
        assertThat(policy.rule(Priority.P3).ackWithin()).isNull();
        assertThat(policy.rule(Priority.P4).page()).isEmpty();
        assertThat(policy.fallback()).isEqualTo(Priority.P3);
        assertThat(policy.repeatInterval()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void chatsAreAListAndTheAckUriIsOptional() {
        IncidentSettings s = IncidentSettings.from(ShippedSettings.with(Map.of(
                "runbook.incident.telegram-ack.uri", " telegram:bots ", "runbook.incident.telegram-ack.chats", "42, 7,,42")));
        assertThat(s.telegramAckUri()).contains("telegram:bots");
        assertThat(s.telegramAckChats()).isEqualTo(Set.of("42", "7"));
    }

    @Test
    void badValuesStopTheStartNamingTheKey() {
        assertThatThrownBy(() -> ShippedPolicy.with(Map.of("runbook.incident.default-priority", "P5")))
                .hasMessage("runbook.incident.default-priority must be one of P1, P2, P3, P4, not 'P5'");
        assertThatThrownBy(() -> ShippedPolicy.with(Map.of("runbook.incident.p2.ack-within", "soon")))
                .hasMessageStartingWith("runbook.incident.p2.ack-within: ");
        assertThatThrownBy(() -> IncidentSettings.from(ShippedSettings.with(Map.of("runbook.incident.escalation-check", "often"))))
                .hasMessageStartingWith("runbook.incident.escalation-check: ");
    }
}
