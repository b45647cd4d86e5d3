/**
 * Observability: the runbook_* Prometheus metrics served at /metrics (job runs by job and status), the log format, and
 * what fills each run's story ({@link com.runbook.engine.observe.StoryModule}): the step timeline (a Camel intercept
 * strategy on every runbook route) and the capture of the lines a run logs (a log4j2 appender), which also keeps
 * Camel's error dump of a failed run, and any line of a run that shows a secret parameter's value, out of the engine's
 * output (the run's own log keeps that line with the value masked).
 */
package com.runbook.engine.observe;
