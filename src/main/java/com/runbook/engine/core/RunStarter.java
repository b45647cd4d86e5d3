package com.runbook.engine.core;

import java.util.Map;

/**
 * The one way to start a run, used by every door. Each run is a {@code job_run} row with its trigger and its checked
 * parameters; parameters that break the job's declaration are refused before anything runs.
 */
public interface RunStarter {
    /** True when {@code job} is a runbook in force. */
    boolean isJob(String job);

    /**
     * Starts {@code job} now, in the background, with {@code params} checked against its declaration.
     *
     * @return the run id
     * @throws Refused {@code NOT_FOUND} when there is no such job, {@code INVALID} for parameters it refuses
     */
    long start(String job, RunTrigger trigger, Map<String, Object> params);
}
