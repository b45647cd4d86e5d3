/**
 * Health of the platform's endpoints: the HTTP probe, the watchdog that opens and resolves incidents on consecutive
 * failures, and the health report the daily check and the market checklists send. In a dry run the probes still run
 * (they only read); the watchdog keeps no state and plans its restart hooks.
 */
package com.runbook.engine.health;
