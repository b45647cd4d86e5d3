/** The command line (picocli): {@code run} starts the engine, {@code validate} checks routes/ and schedules/ without starting anything. */
package com.runbook.engine.cli;
