/**
 * Durable delivery of pages and reports: the outbox table ({@link com.runbook.engine.notify.Outbox}), its dispatcher,
 * paging-storm digests, the {@code /api/outbox} doors, and the {@link com.runbook.engine.notify.Channel} interface
 * the transports implement in their own packages (email, telegram, pubsub); the composition root chooses them. In a
 * dry run ({@link com.runbook.engine.core.DryRun#current()}) the outbox records each message in the run's plan
 * ("email to ops@example.com: subject ...", "telegram to chat 42: ...", "pubsub to system-alerts: ...") and queues
 * nothing.
 */
package com.runbook.engine.notify;
