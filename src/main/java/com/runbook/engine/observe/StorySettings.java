package com.runbook.engine.observe;

import com.runbook.engine.settings.Settings;

/**
 * The {@code runbook.story.*} settings.
 *
 * @param timeline whether every run records its step timeline ({@code runbook.story.timeline})
 */
record StorySettings(boolean timeline) {
    static StorySettings from(Settings settings) {
        return new StorySettings(settings.flag("runbook.story.timeline"));
    }
}
