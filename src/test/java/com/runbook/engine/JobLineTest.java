package com.runbook.engine;

import com.runbook.engine.schedule.JobView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The start's line per job: a manual job says so, never "next fire null". */
class JobLineTest {
    @Test
    void aManualJobSaysItRunsWhenTriggered() {
        assertThat(Engine.jobLine(new JobView("echo-parameters", "routes/echo-parameters.camel.yaml", "operator", null, null, null,
                null, List.of())))
                .isEqualTo("Job echo-parameters from routes/echo-parameters.camel.yaml: manual (no schedule; runs when triggered)");
    }

    @Test
    void aScheduledJobNamesItsScheduleAndNextFire() {
        JobView.Summary cron = new JobView.Summary("0 0 2 * * ?", "UTC", true, "skip", "fire-once-now", "schedules/b.yaml:1");
        assertThat(Engine.jobLine(new JobView("b", "routes/b.camel.yaml", "operator", cron, "2026-12-07T02:00Z", null, null, List.of())))
                .isEqualTo("Job b from routes/b.camel.yaml: schedule 0 0 2 * * ?, next fire 2026-12-07T02:00Z");
        JobView.Summary off = new JobView.Summary("0 0 2 * * ?", "UTC", false, "skip", "fire-once-now", "schedules/b.yaml:1");
        assertThat(Engine.jobLine(new JobView("b", "routes/b.camel.yaml", "operator", off, null, null, null, List.of())))
                .isEqualTo("Job b from routes/b.camel.yaml: schedule 0 0 2 * * ?, next fire none (disabled or never due)");
    }
}
