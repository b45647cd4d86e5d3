/** Running a job and remembering it: every scheduled, manual or alert-triggered execution becomes a {@code job_run} row. */
package com.runbook.engine.run;
