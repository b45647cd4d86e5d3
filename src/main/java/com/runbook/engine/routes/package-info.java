/**
 * Loading, validating and live-reloading the runbook files in {@code routes/} and {@code schedules/}: a route file is
 * checked by building its routes in a Camel context that never starts them (RouteCheck, for {@code validate} and the
 * engine alike), the whole set is decided on at once (Runbooks), a file is kept to itself (Isolation), every file's
 * state is kept (FileState) and a refusal is alarmed (RefusedFilesAlarm); problems are {@code file:line:column: message}.
 */
package com.runbook.engine.routes;
