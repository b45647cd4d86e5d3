/** The Telegram transport: camel-telegram, or a folder of .txt files; its settings ({@code runbook.notify.telegram.*}). */
package com.runbook.engine.notify.telegram;
