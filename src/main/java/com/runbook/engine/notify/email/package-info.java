/**
 * The email transport: camel-mail (its SMTP connections kept open between messages, at most one per sender thread),
 * or a folder of .eml files; its settings ({@code runbook.notify.email.*}).
 */
package com.runbook.engine.notify.email;
