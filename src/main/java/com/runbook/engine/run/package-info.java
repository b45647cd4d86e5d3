/**
 * Running a job and remembering it: {@link com.runbook.engine.run.JobRunner} is the engine's one
 * {@link com.runbook.engine.core.RunStarter}; every run (schedule, API, CLI, console, alert, trading and DNS doors)
 * becomes a {@code job_run} row ({@link com.runbook.engine.run.RunStore}), pruned by
 * {@link com.runbook.engine.run.RunHistory}. Each run's story, its step timeline and its log
 * ({@link com.runbook.engine.run.RunStory}, {@link com.runbook.engine.run.Story}), lives in memory while it runs and is
 * saved in the transaction that records its end; it goes with the row. Every run names the actor it runs for
 * ({@code job_run.started_by}: {@code token:alice}, {@code schedule:<id>}, {@code alert:<fingerprint>}) and records its
 * {@code run.started} audit entry in the group-commit unit that inserts its row.
 */
package com.runbook.engine.run;
