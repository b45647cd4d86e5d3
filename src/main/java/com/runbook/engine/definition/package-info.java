/**
 * Everything {@code validate} reads and checks, apart from the runtime: route files, schedule files, parameters,
 * who may run each runbook ({@code - access:}, {@link com.runbook.engine.definition.Role}), durations, problems ({@code file:line:column: message}), the loader that decides on the whole set and the file
 * watcher. It never imports the engine's runtime packages.
 */
package com.runbook.engine.definition;
