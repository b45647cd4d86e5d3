/** Durable delivery of pages and reports: the outbox table and its dispatcher to email, Telegram and Pub/Sub. */
package com.runbook.engine.notify;
