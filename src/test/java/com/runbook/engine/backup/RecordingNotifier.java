package com.runbook.engine.backup;

import com.runbook.engine.core.Notifier;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records each message as "channel recipient subject". */
final class RecordingNotifier implements Notifier {
    final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public long enqueue(String channel, String recipient, String subject, String body, String idempotencyKey,
                        Map<String, String> headers) {
        sent.add(channel + " " + recipient + " " + subject);
        return sent.size();
    }
}
