/**
 * The HTTP API on the platform-http server: jobs, runs, reload status, health and metrics, with bearer-token checks on
 * every change; and the web console, one HTML page served at {@code /} that reads that API.
 */
package com.runbook.engine.api;
