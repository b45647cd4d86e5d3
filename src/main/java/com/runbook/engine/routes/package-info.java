/** Loading, validating and live-reloading the runbook files in {@code routes/} and {@code schedules/}; problems are reported as {@code file:line:column: message}. */
package com.runbook.engine.routes;
