/**
 * The HTTP server's front door, in front of every route (API, webhooks, console, health, metrics): 503 while the
 * engine is not ready (starting or stopping), header timeout for every request and idle timeout, and a cap on open
 * connections; and the readiness point where the doors that are not HTTP (Pub/Sub) start and stop.
 */
package com.runbook.engine.server;
