/** The email transport: camel-mail, or a folder of .eml files; its settings ({@code runbook.notify.email.*}). */
package com.runbook.engine.notify.email;
