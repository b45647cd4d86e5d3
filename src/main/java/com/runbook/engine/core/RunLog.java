package com.runbook.engine.core;

import java.util.List;
import java.util.Optional;

/** Reads the run history ({@code job_run}): what the API, the console and the doors that answer with a run show. */
public interface RunLog {
    /** The run with that id. */
    Optional<RunRecord> find(long id);

    /** The newest runs, newest first, of {@code job} only unless it is null or blank. */
    List<RunRecord> list(String job, int limit);

    /**
     * The newest runs, newest first, of {@code job} only unless it is null or blank, and of {@code status} only unless
     * it is null.
     */
    default List<RunRecord> list(String job, RunStatus status, int limit) {
        return list(job, limit).stream().filter(r -> status == null || r.status() == status).toList();
    }

    /** The run's step timeline, in order (empty while nothing has been recorded). */
    default List<RunStep> steps(long id) {
        return List.of();
    }

    /**
     * The lines the run logged, from line {@code from} on (lines are numbered from 1), as far as they are kept: a
     * running run's lines so far, a finished run's as saved with it.
     */
    default LogLines log(long id, int from) {
        return new LogLines(List.of(), false);
    }

    /**
     * One line of a run's log.
     *
     * @param n       its number in the run's log, from 1
     * @param at      when it was logged, ISO-8601 UTC
     * @param level   {@code INFO}, {@code WARN}, ...
     * @param logger  the logger's name
     * @param message the message, with the stack trace of a logged exception
     */
    record LogLine(int n, String at, String level, String logger, String message) {
    }

    /**
     * Lines of a run's log.
     *
     * @param truncated whether the run logged more than is kept (the capture's cap); the lines after it are lost
     */
    record LogLines(List<LogLine> lines, boolean truncated) {
    }

    /** The plan of a dry run, in order (empty for a real run). */
    default List<DryRun.Effect> plan(long id) {
        return List.of();
    }
}
