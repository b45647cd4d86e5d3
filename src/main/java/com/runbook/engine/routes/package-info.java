/**
 * Loading, validating and live-reloading the runbook files in {@code routes/} and {@code schedules/}; problems are
 * reported as {@code file:line:column: message}. A route file is checked by building its routes in a Camel context
 * that never starts them ({@link com.runbook.engine.routes.RouteCheck}), for {@code validate} and for the engine alike.
 */
package com.runbook.engine.routes;
