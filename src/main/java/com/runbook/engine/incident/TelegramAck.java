package com.runbook.engine.incident;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Refused;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Acknowledgement by Telegram: a message {@code /ack <id>} from an allowed chat acknowledges that incident. Returns
 * the reply for the chat, or null when the message is not for us (another chat, another command).
 */
final class TelegramAck {
    private static final Pattern ACK = Pattern.compile("^/ack(?:@\\w+)?\\s+#?(\\d+)\\s*$");
    /**
     * Who acknowledges by Telegram, for the audit trail: the engine's Telegram door (a chat is allowed by the
     * configuration, not by a token); the person's Telegram name is the entry's note ({@code telegram:alice}).
     */
    static final Actor ACTOR = Actor.engine("telegram");
    private final IncidentService incidents;
    private final Set<String> allowedChats;

    TelegramAck(IncidentService incidents, Set<String> allowedChats) {
        this.incidents = incidents;
        this.allowedChats = allowedChats;
    }

    String handle(String chatId, String from, String text) {
        if (chatId == null || !allowedChats.contains(chatId) || text == null) {
            return null;
        }
        Matcher m = ACK.matcher(text.trim());
        if (!m.matches()) {
            return text.trim().startsWith("/ack") ? "Usage: /ack <incident id>" : null;
        }
        long id = Long.parseLong(m.group(1));
        String by = "telegram:" + (from == null || from.isBlank() ? chatId : from);
        try {
            incidents.acknowledge(id, ACTOR, by);
            return "Incident " + id + " acknowledged by " + by;
        } catch (Refused e) {
            return e.getMessage();
        }
    }
}
