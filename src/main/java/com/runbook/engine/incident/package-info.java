/** Incidents: turning alert events into P1-P4 incidents (dedupe, policy, maintenance mute), escalation and acknowledgement. */
package com.runbook.engine.incident;
