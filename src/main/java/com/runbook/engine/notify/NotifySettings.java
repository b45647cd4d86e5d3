package com.runbook.engine.notify;

import com.runbook.engine.definition.Durations;
import com.runbook.engine.settings.Settings;

import java.time.Duration;

/**
 * How the dispatcher delivers (the {@code runbook.notify.*} settings besides each channel's own).
 *
 * @param maxAttempts attempts before a message is dead
 * @param backoff     the first retry delay, doubled per attempt
 * @param backoffMax  the longest retry delay
 * @param poll        how often due messages are looked for
 * @param lease       how long a claimed message is held by this node
 * @param batch       messages claimed ready beside those being sent
 * @param threads     sends in parallel
 * @param sendTimeout the deadline of one send, more than 0 and shorter than {@code lease}
 * @param digestOver  more incident pages than this for one recipient in one claim go as digests (0: never)
 */
record NotifySettings(int maxAttempts, Duration backoff, Duration backoffMax, Duration poll, Duration lease, int batch,
                      int threads, Duration sendTimeout, int digestOver) {
    NotifySettings {
        checkSendTimeout(sendTimeout, lease);
    }

    static NotifySettings from(Settings s) {
        return new NotifySettings(s.integer("runbook.notify.max-attempts"), s.duration("runbook.notify.backoff"),
                s.duration("runbook.notify.backoff-max"), s.duration("runbook.notify.poll"),
                s.duration("runbook.notify.lease"), s.integer("runbook.notify.batch"), s.integer("runbook.notify.threads"),
                s.duration("runbook.notify.send-timeout"), s.integer("runbook.notify.digest-over"));
    }

    /**
     * A send may outlive neither its lease nor its claim: the poller claims while other sends run, so a send longer
     * than the lease could find its own message claimed and sent again by this very node.
     */
    static void checkSendTimeout(Duration sendTimeout, Duration lease) {
        if (sendTimeout.isNegative() || sendTimeout.isZero() || sendTimeout.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("runbook.notify.send-timeout (" + Durations.format(sendTimeout)
                    + ") must be more than 0 and shorter than runbook.notify.lease (" + Durations.format(lease) + ")");
        }
    }
}
