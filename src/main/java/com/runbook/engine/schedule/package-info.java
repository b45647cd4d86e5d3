/** When jobs run: the {@code schedules/*.yaml} format, its validation, and the Quartz triggers that fire the jobs. */
package com.runbook.engine.schedule;
