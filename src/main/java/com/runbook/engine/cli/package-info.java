/**
 * The command line (picocli): {@code run} starts the engine, {@code validate} checks routes/ and schedules/, and
 * {@code list}, {@code trigger} (also {@code --dry-run}), {@code history}, {@code show}, {@code logs}, {@code incidents},
 * {@code ack}, {@code windows}, {@code schedules} operate a running engine through its HTTP API.
 */
package com.runbook.engine.cli;
