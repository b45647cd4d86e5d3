/**
 * Trading reports: the trading data source and its schema, the daily P&amp;L, the monthly report and the weekly
 * commission emails (beans the routes in routes/daily-pnl, monthly-report and weekly-commission-emails call).
 */
package com.runbook.engine.report;
