package com.runbook.engine.incident;

import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The incident settings ({@code runbook.incident.*} in application.properties, where each is explained; the priority
 * policy's keys are read by {@link PriorityPolicy#from}).
 *
 * @param escalationCheck how often unacknowledged incidents are checked for escalation
 * @param telegramAckUri  the camel-telegram consumer URI reading {@code /ack <id>} messages (empty: off)
 * @param telegramAckChats the chat ids allowed to acknowledge
 */
record IncidentSettings(Duration escalationCheck, Optional<String> telegramAckUri, Set<String> telegramAckChats) {
    static IncidentSettings from(Settings s) {
        return new IncidentSettings(s.duration("runbook.incident.escalation-check"),
                s.optional("runbook.incident.telegram-ack.uri"),
                Set.copyOf(s.list("runbook.incident.telegram-ack.chats")));
    }
}
