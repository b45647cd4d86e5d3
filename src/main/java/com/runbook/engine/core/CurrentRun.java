package com.runbook.engine.core;

import org.slf4j.MDC;

/**
 * The run the calling thread executes a step of, as the job runner puts it in the log context (the MDC keys
 * {@code runId}, {@code job} and {@code actor}, which every log line of the run carries): what the engine's own side
 * effects read to name the run that caused them (an incident's run, an audit entry's actor).
 */
public final class CurrentRun {
    /** The MDC key of the run's id. */
    public static final String RUN_ID = "runId";
    /** The MDC key of the run's job. */
    public static final String JOB = "job";
    /** The MDC key of the run's actor ({@link Actor#id()}). */
    public static final String ACTOR = "actor";

    private CurrentRun() {
    }

    /** Marks the calling thread as executing run {@code id} of {@code job}, started by {@code by}. */
    public static void enter(long id, String job, Actor by) {
        MDC.put(RUN_ID, Long.toString(id));
        MDC.put(JOB, job);
        MDC.put(ACTOR, by.id());
    }

    /** The calling thread executes no run any more. */
    public static void leave() {
        MDC.remove(RUN_ID);
        MDC.remove(JOB);
        MDC.remove(ACTOR);
    }

    /** The run's id; null outside a run. */
    public static Long id() {
        String runId = MDC.get(RUN_ID);
        try {
            return runId == null ? null : Long.valueOf(runId);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The run's job; null outside a run. */
    public static String job() {
        return MDC.get(JOB);
    }

    /**
     * The run's actor (a personal token's comes back without its role: see {@link Actor#fromId}), or the engine's
     * {@code part} outside a run.
     */
    public static Actor actor(String part) {
        Actor actor = Actor.fromId(MDC.get(ACTOR));
        return actor == null ? Actor.engine(part) : actor;
    }
}
