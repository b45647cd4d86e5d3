package com.runbook.engine.report;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The weekly-commission-emails job's steps. The route renders every email first (a template error fails the run
 * before anything is queued or marked), then per chunk queues the emails with the idempotency keys
 * {@code commission/<follower>/<year>/<month>} in one transaction and only then marks the chunk's rows sent: a crash
 * between the two leaves the rows unsent, the next run queues them again, and the outbox drops the copies by key.
 * Every step may run in a dry run: the emails go to the notifier, which plans them, and the UPDATE that marks the rows
 * sent is the route's {@code sql:} endpoint, which the dry run records instead of running.
 */
public final class CommissionEmails {
    private static final Logger LOG = LoggerFactory.getLogger(CommissionEmails.class);
    private final Reports reports;

    private final TransactionTemplate tx;

    CommissionEmails(Reports reports) {
        this.reports = reports;
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(reports.parts().db()));
    }

    /** One payable, unsent commission row and its follower; {@code text} once rendered. */
    public record Email(long followerId, int year, int month, BigDecimal amount, String name, String address, String text) {
        @DryRunSafe
        public String key() {
            return "commission/" + followerId + "/" + year + "/" + month;
        }

        @DryRunSafe
        public String period() {
            return Month.of(month).getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + year;
        }

        /** What the template sees as {@code body}: name, period, amount (plain, 2 decimals), currency, ids. */
        @DryRunSafe
        public Map<String, Object> model() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("followerId", followerId);
            m.put("name", name);
            m.put("period", period());
            m.put("year", year);
            m.put("month", month);
            m.put("amount", PnlCalculator.cents(amount).toPlainString());
            m.put("currency", "USD");
            return m;
        }
    }

    /** The rows split into emails to send and rows skipped (with the reason), as the route needs them. */
    public record Batch(List<Email> emails, List<String> skipped) {
    }

    /** Checks every row's address: a missing or invalid one is skipped and reported, the others go. */
    @DryRunSafe
    public Batch prepare(List<Map<String, Object>> rows) {
        List<Email> emails = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Email e = new Email(((Number) r.get("follower_id")).longValue(), ((Number) r.get("year")).intValue(),
                    ((Number) r.get("month")).intValue(), DailyPnl.decimal(r.get("commission_amount")),
                    (String) r.get("name"), (String) r.get("email"), null);
            String problem = addressProblem(e.address());
            if (problem == null) {
                emails.add(e);
            } else {
                skipped.add(e.key() + ": " + problem);
            }
        }
        return new Batch(emails, skipped);
    }

    /** Null when {@code address} is a usable email address, else why not. */
    static String addressProblem(String address) {
        if (address == null || address.isBlank()) {
            return "follower has no email address";
        }
        try {
            InternetAddress parsed = new InternetAddress(address.trim(), true);
            parsed.validate();
            if (!parsed.getAddress().contains("@")) {
                return "invalid email address '" + address + "'";
            }
            return null;
        } catch (AddressException e) {
            return "invalid email address '" + address + "'";
        }
    }

    /** The email with the text the template rendered. */
    @DryRunSafe
    public Email rendered(Email email, String text) {
        return new Email(email.followerId(), email.year(), email.month(), email.amount(), email.name(), email.address(), text);
    }

    /**
     * Queues a chunk of emails through the outbox in one engine-database transaction (all or none); each key makes a
     * second queueing of the same row a no-op. Returns the rows' keys (followerId, year, month) for the batched
     * UPDATE that marks them sent.
     */
    @DryRunSafe
    public List<Map<String, Object>> enqueueAll(List<Email> emails) {
        Notifier notifier = reports.notifier();
        return tx.execute(status -> {
            List<Map<String, Object>> keys = new ArrayList<>();
            for (Email email : emails) {
                notifier.enqueue("email", email.address().trim(), "Your commission statement for " + email.period(),
                        email.text(), email.key(), Map.of("Content-Type", "text/plain; charset=UTF-8"));
                keys.add(Map.of("followerId", email.followerId(), "year", email.year(), "month", email.month()));
            }
            return keys;
        });
    }

    /** The chunks' results as one list. */
    @DryRunSafe
    public List<Object> flatten(List<List<?>> chunks) {
        List<Object> all = new ArrayList<>();
        chunks.forEach(all::addAll);
        return all;
    }

    /** Logs the run's outcome and mails the skipped rows to ops; returns the outcome line. */
    @DryRunSafe
    public String report(List<?> sent, List<String> skipped, Object runId) {
        String outcome = "weekly-commission-emails: " + sent.size() + " queued, " + skipped.size() + " skipped";
        LOG.info(outcome);
        if (!skipped.isEmpty()) {
            skipped.forEach(s -> LOG.warn("weekly-commission-emails skipped {}", s));
            String text = outcome + "\nSkipped rows (left unsent; fix the follower's email and they go next run):\n  "
                    + String.join("\n  ", skipped) + "\n";
            reports.notifier().enqueue("email", reports.emailTo(),
                    "Commission emails: " + skipped.size() + " row(s) skipped", text,
                    "commission-skipped/" + Reports.digest(text), Map.of());
        }
        return outcome;
    }
}
