/**
 * Emergency stop and resume of trading: the call to the trading API, the "Trading halted" broadcast, the P1 page,
 * the {@code trading_control} record, and the {@code /api/runbooks/emergency-stop} and {@code trading-resume} doors,
 * which run the runbooks (or, with {@code dryRun}, a dry run of them) and answer with the run. A halt or resume that
 * does not happen pages P1; in a dry run the call and its row go into the run's plan instead.
 */
package com.runbook.engine.trading;
