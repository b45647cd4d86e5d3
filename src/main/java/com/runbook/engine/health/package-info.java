/**
 * Health of the platform's endpoints: the HTTP probe, the watchdog that opens and resolves incidents on consecutive
 * failures, and the health report the daily check and the market checklists send.
 */
package com.runbook.engine.health;
