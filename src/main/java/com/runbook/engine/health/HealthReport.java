package com.runbook.engine.health;

import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The health report the daily check and the Asia/Kolkata market checklists mail: every watchdog endpoint probed
 * now, with status and latency. Bound as {@code healthReport}.
 */
public class HealthReport {
    private static final Logger LOG = LoggerFactory.getLogger(HealthReport.class);
    private final Watchdog watchdog;
    private final Supplier<Notifier> notifier;
    private final String recipient;

    HealthReport(Watchdog watchdog, Supplier<Notifier> notifier, String recipient) {
        this.watchdog = watchdog;
        this.notifier = notifier;
        this.recipient = recipient == null || recipient.isBlank() ? null : recipient.trim();
    }

    /**
     * Probes every endpoint, mails the report (once per run: the run id is the idempotency key), returns its text. In
     * a dry run the probes still run (they only read) and the notifier plans the mail.
     */
    @DryRunSafe
    public String send(String title, Object runId) {
        List<HealthProbe.Result> results = watchdog.endpoints().stream()
                .map(e -> HealthProbe.check(e.url(), e.timeout())).toList();
        String text = render(title, Instant.now(), watchdog.endpoints(), results);
        long down = results.stream().filter(r -> !r.up()).count();
        String subject = title + ": " + (down == 0 ? "all " + results.size() + " endpoints up" : down + " of " + results.size() + " endpoints down");
        Notifier n = notifier.get();
        if (n == null) {
            LOG.warn("No notifier bound: health report not sent:\n{}", text);
        } else {
            n.enqueue("email", recipient, subject, text, "health-report-" + title + "-" + runId, Map.of());
        }
        return text;
    }

    static String render(String title, Instant at, List<Watchdog.Endpoint> endpoints, List<HealthProbe.Result> results) {
        StringBuilder b = new StringBuilder(title).append(" at ").append(at).append("\n\n");
        b.append(String.format("%-20s %-6s %8s  %s%n", "endpoint", "status", "latency", "detail"));
        for (int i = 0; i < endpoints.size(); i++) {
            HealthProbe.Result r = results.get(i);
            b.append(String.format("%-20s %-6s %6d ms  %s%n", endpoints.get(i).name(), r.up() ? "UP" : "DOWN", r.latencyMs(),
                    r.up() ? "HTTP " + r.status() : r.error()));
        }
        if (endpoints.isEmpty()) {
            b.append("(no endpoints configured: set runbook.watchdog.endpoints)\n");
        }
        return b.toString();
    }
}
