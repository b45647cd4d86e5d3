package com.runbook.engine.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way to start a run, used by every door. Each run is a {@code job_run} row with its trigger and its checked
 * parameters; parameters that break the job's declaration are refused before anything runs.
 */
public interface RunStarter {
    /** True when {@code job} is a runbook in force. */
    boolean isJob(String job);

    /**
     * Starts {@code job} now, in the background, with {@code params} checked against its declaration, on behalf of
     * {@code by} (recorded with the run and in its audit entry; the caller checked that {@code by} may run it).
     *
     * @return the run id
     * @throws Refused {@code NOT_FOUND} when there is no such job, {@code INVALID} for parameters it refuses
     */
    default long start(String job, RunTrigger trigger, Map<String, Object> params, Actor by) {
        return startWatched(job, trigger, params, by).id();
    }

    /** As {@link #start}, with the run's end to wait for: the doors that answer with a run's outcome. */
    Watched startWatched(String job, RunTrigger trigger, Map<String, Object> params, Actor by);

    /** A run started in the background, and its end (completed once its row says how it ended). */
    record Watched(long id, CompletableFuture<RunEnd> end) {
        /** The run's end, or empty when it is still going after {@code timeout}. */
        public Optional<RunEnd> await(Duration timeout) throws InterruptedException {
            try {
                return Optional.of(end.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException("run " + id + " ended without its outcome", e.getCause());
            }
        }
    }
}
