/**
 * The HTTP server's front door, in front of every route (API, webhooks, console, health, metrics): 503 while the
 * engine is not ready (starting or stopping), header and idle timeouts, and a cap on open connections.
 */
package com.runbook.engine.server;
