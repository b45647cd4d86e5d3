/** Observability: the runbook_* Prometheus metrics served at /metrics (job runs by job and status) and the log format. */
package com.runbook.engine.observe;
