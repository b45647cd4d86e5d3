package com.runbook.engine.settings;

/** A setting application.properties does not declare: one line per unknown name, with the nearest known one. */
public final class UnknownSettingException extends IllegalStateException {
    UnknownSettingException(String message) {
        super(message);
    }
}
