package com.runbook.engine.audit;

import com.runbook.engine.settings.Settings;

import java.time.Duration;

/**
 * The audit trail's settings.
 *
 * @param anchor      whether each finished UTC day's final hash is written to the backup object store
 * @param anchorEvery how often the engine looks for a finished day without its anchor
 */
record AuditSettings(boolean anchor, Duration anchorEvery) {
    static AuditSettings from(Settings s) {
        return new AuditSettings(s.flag("runbook.audit.anchor"), s.duration("runbook.audit.anchor.every"));
    }
}
