package com.runbook.engine.access;

import com.runbook.engine.settings.Settings;

import java.util.Optional;

/**
 * The settings of personal tokens.
 *
 * @param tokenKey the key of the tokens' keyed hash; empty: one generated into {@code <data-dir>/token-key}
 */
record AccessSettings(Optional<String> tokenKey) {
    static AccessSettings from(Settings s) {
        return new AccessSettings(s.optional("runbook.api.token-key"));
    }
}
