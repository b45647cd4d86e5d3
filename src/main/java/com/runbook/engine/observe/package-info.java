/**
 * Observability: the runbook_* Prometheus metrics served at /metrics (job runs by job and status), the log format, and
 * what fills each run's story ({@link com.runbook.engine.observe.StoryModule}): the step timeline (a Camel intercept
 * strategy on every runbook route) and the capture of the lines a run logs (a log4j2 appender), which also keeps
 * Camel's error dump of a failed run out of the engine's output.
 */
package com.runbook.engine.observe;
