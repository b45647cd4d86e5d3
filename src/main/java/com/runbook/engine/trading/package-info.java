/**
 * Emergency stop and resume of trading: the call to the trading API, the "Trading halted" broadcast, the P1 page,
 * the {@code trading_control} record, and the {@code /api/runbooks/emergency-stop} and {@code trading-resume} doors,
 * which run the runbooks and answer with the run.
 */
package com.runbook.engine.trading;
