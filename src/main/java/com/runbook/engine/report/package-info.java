/**
 * Trading reports: the trading data source and its schema, the daily P&amp;L, the monthly report and the weekly
 * commission emails (beans the routes in routes/daily-pnl, monthly-report and weekly-commission-emails call). In a
 * dry run they plan the replace of daily_pnl and the monthly report's files and copies; their mail is the notifier's.
 */
package com.runbook.engine.report;
