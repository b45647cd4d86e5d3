/**
 * The audit trail: every change of state as an append-only, hash-chained entry written in the transaction of the
 * change, its API and its verification.
 */
package com.runbook.engine.audit;
