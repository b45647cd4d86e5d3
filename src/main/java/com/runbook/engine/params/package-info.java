/**
 * Runbook parameters: the typed declaration a route file may carry ({@code - parameters:} block), its validation,
 * and the one check every door that starts a run goes through (schedule, API, CLI, console, alert routing).
 * A definition package: it never imports the runtime.
 */
package com.runbook.engine.params;
