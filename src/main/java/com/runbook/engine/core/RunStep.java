package com.runbook.engine.core;

/**
 * One step of a run's timeline: a node of its route that executed (a {@code to}, a {@code bean}, a {@code split}...).
 *
 * @param seq        the step's place in the run, from 1, in the order the steps started
 * @param node       the node's id in its route ({@code to3}, or the id the runbook gives it)
 * @param kind       the EIP's name ({@code to}, {@code bean}, {@code split}, {@code setBody}...)
 * @param uri        the endpoint URI of a step that sends, secrets masked; null for other steps
 * @param source     where the node is written: {@code routes/<file>:<line>}; null when unknown
 * @param startedAt  ISO-8601 UTC
 * @param durationMs how long it took
 * @param outcome    {@code ok}, {@code failed}, or {@code rehearsed} (a dry run recorded it instead of performing it)
 * @param count      how many times it executed in the run (a step inside a split or a loop), 1 otherwise
 */
public record RunStep(int seq, String node, String kind, String uri, String source, String startedAt, long durationMs,
                      String outcome, int count) {
}
