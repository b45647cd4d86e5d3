package com.runbook.engine.core;

/**
 * How a run ended, for a door that answers with its outcome.
 *
 * @param status  {@link RunStatus#SUCCEEDED} or {@link RunStatus#FAILED}
 * @param error   the run's recorded error (null when it succeeded)
 * @param result  the body its route ended with (null when it failed)
 * @param failure what its route threw (null when it succeeded, or when the run was ended without its route's answer:
 *                a timeout, a route stopped under it, the engine stopping)
 */
public record RunEnd(long id, RunStatus status, String error, Object result, Throwable failure) {
}
