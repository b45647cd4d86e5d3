/**
 * Durable delivery of pages and reports: the outbox table ({@link com.runbook.engine.notify.Outbox}), its dispatcher,
 * paging-storm digests, the {@code /api/outbox} doors, and the {@link com.runbook.engine.notify.Channel} interface
 * the transports implement in their own packages (email, telegram, pubsub); the composition root chooses them.
 */
package com.runbook.engine.notify;
