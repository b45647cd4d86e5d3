/**
 * The command line (picocli): {@code run} starts the engine, {@code validate} checks routes/ and schedules/, and
 * {@code list}, {@code trigger} (also {@code --dry-run}), {@code history}, {@code show}, {@code logs}, {@code incidents},
 * {@code ack}, {@code windows}, {@code schedules} operate a running engine through its HTTP API.
 * <p>
 * The client commands start a JVM for one HTTP call, so they load neither Camel nor the database: they run from
 * {@code target/runbook-engine-cli.jar} (this package, picocli and Jackson), send one HTTP/1.1 request
 * ({@code HttpCall}), read and write Jackson trees without an ObjectMapper ({@code Json}), and {@code main} reads only
 * the subcommand it runs. What {@code run} and {@code validate} do in the JVM lives in {@code LocalCommands}, so that
 * every command class can be read without the engine's classes. {@code CliTraining} trains the client path's
 * class-data cache (JDK 17 CDS, JDK 25 AOT) against a stand-in of the API.
 */
package com.runbook.engine.cli;
