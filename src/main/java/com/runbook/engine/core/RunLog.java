package com.runbook.engine.core;

import java.util.List;
import java.util.Optional;

/** Reads the run history ({@code job_run}): what the API, the console and the doors that answer with a run show. */
public interface RunLog {
    /** The run with that id. */
    Optional<RunRecord> find(long id);

    /** The newest runs, newest first, of {@code job} only unless it is null or blank. */
    List<RunRecord> list(String job, int limit);

    /** The run's step timeline, in order (empty while nothing has been recorded). */
    default List<RunStep> steps(long id) {
        return List.of();
    }

    /** The plan of a dry run, in order (empty for a real run). */
    default List<DryRun.Effect> plan(long id) {
        return List.of();
    }
}
