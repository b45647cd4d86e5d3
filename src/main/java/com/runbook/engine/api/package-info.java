/** The HTTP API on the platform-http server: jobs, runs, reload status, health and metrics, with bearer-token checks on every change. */
package com.runbook.engine.api;
