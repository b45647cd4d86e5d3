/**
 * Loading, validating and live-reloading the runbook files in {@code routes/} and {@code schedules/}: the whole set is
 * decided on at once (Runbooks), a file is kept to itself (Isolation), every file's state is kept (FileState) and a
 * refusal is alarmed (RefusedFilesAlarm); problems are reported as {@code file:line:column: message}.
 */
package com.runbook.engine.routes;
