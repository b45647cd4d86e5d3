package com.runbook.engine.observe;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;

/**
 * Every run tells its story: its step timeline (unless {@code runbook.story.timeline=false}) and its log, kept by
 * {@link com.runbook.engine.run.RunStory}. Starts before the runbooks load, so every job route records its steps.
 */
public final class StoryModule implements EngineModule {
    @Override
    public void start(Parts parts) {
        if (StorySettings.from(parts.settings()).timeline()) {
            parts.camel().getCamelContextExtension().addInterceptStrategy(new StepTimeline());
        }
        RunLogCapture.install();
    }
}
