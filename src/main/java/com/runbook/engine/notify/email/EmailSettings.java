package com.runbook.engine.notify.email;

import com.runbook.engine.settings.Settings;

/**
 * Where email goes and from whom.
 *
 * @param uri  the Camel endpoint (camel-mail {@code smtp://...}, or a {@code file:} folder of .eml files)
 * @param from the sender of every email
 * @param to   the recipient of a message that names none (the on-call list)
 */
public record EmailSettings(String uri, String from, String to) {
    public static EmailSettings from(Settings s) {
        return new EmailSettings(s.text("runbook.notify.email.uri"), s.text("runbook.notify.email.from"),
                s.text("runbook.notify.email.to"));
    }
}
