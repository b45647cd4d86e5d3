/**
 * Incidents: turning alert events into P1-P4 incidents (dedupe, policy, maintenance mute), escalation and acknowledgement.
 * In a dry run ({@link com.runbook.engine.core.DryRun#current()}) opening, updating, resolving and acknowledging an
 * incident are recorded in the run's plan ("open P2 incident BackupFailed/engine-db: ... (pages telegram, email)")
 * and not done.
 */
package com.runbook.engine.incident;
