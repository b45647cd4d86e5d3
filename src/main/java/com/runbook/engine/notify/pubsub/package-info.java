/** The Google Pub/Sub transport for {@code pubsub:<topic>}: camel-google-pubsub, or a folder per topic; its settings. */
package com.runbook.engine.notify.pubsub;
