/**
 * The HTTP edge: the front door of the platform-http server (readiness, timeouts, connection cap), the one place
 * where refusals become status codes, the job and run API, and the web console.
 */
package com.runbook.engine.http;
