/**
 * The command line (picocli): {@code run} starts the engine, {@code validate} checks routes/ and schedules/, and
 * {@code list}, {@code trigger}, {@code history}, {@code incidents}, {@code ack}, {@code windows} operate a running
 * engine through its HTTP API.
 */
package com.runbook.engine.cli;
