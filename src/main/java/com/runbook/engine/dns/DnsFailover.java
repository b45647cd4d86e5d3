package com.runbook.engine.dns;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import com.runbook.engine.core.RunTrigger;
import com.runbook.engine.health.HealthProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The failover runbook: check the target is healthy, read the record, change it, verify it at the authoritative
 * server, record it in {@code dns_change} and notify; on a failed verification put the old value back and open a
 * P1. Bound as {@code dnsFailover}; routes/dns-failover.camel.yaml and routes/dns-rollback.camel.yaml call it.
 * <p>In a dry run ({@link DryRun#current()}) it reads what a real run reads (the record, the last change, the cooldown,
 * the target's health) and refuses what a real run refuses, with the same message; the record change, the
 * {@code dns_change} row and the notices it would make go into the run's plan instead, in the order a real run makes
 * them, and its result says {@code outcome: plan}.
 */
public class DnsFailover {
    private static final Logger LOG = LoggerFactory.getLogger(DnsFailover.class);

    private final DnsConfig config;
    private final DnsProvider provider;
    private final DnsChangeStore store;
    private final Supplier<IncidentRaiser> incidents;
    private final Supplier<Notifier> notifier;

    DnsFailover(DnsConfig config, DnsProvider provider, DnsChangeStore store, Supplier<IncidentRaiser> incidents,
                Supplier<Notifier> notifier) {
        this.config = config;
        this.provider = provider;
        this.store = store;
        this.incidents = incidents;
        this.notifier = notifier;
    }

    /**
     * The job's entry point (routes/dns-failover.camel.yaml): the run's headers as text; no target means
     * {@code runbook.dns.failover-target}. A rehearsal is a dry run of the job, not a parameter.
     */
    @DryRunSafe
    public Map<String, Object> run(String target, String force, String trigger) {
        planOf(trigger);
        String t = target == null || target.isBlank() ? config.failoverTarget() : target;
        return failover(t, flag("force", force), who(trigger));
    }

    /** The job's entry point of routes/dns-rollback.camel.yaml: the run's trigger. */
    @DryRunSafe
    public Map<String, Object> rollback(String trigger) {
        planOf(trigger);
        return rollbackBy(who(trigger));
    }

    /**
     * Fail-closed: a run triggered as a dry run whose plan is not on this thread (the dry-run mechanism is not in
     * place) changes nothing and fails.
     */
    static void planOf(String trigger) {
        if (DryRun.current().isEmpty() && RunTrigger.DRY_RUN.stored().equals(trigger)) {
            throw new DnsException(DnsException.Kind.FAILED, "a dry run reached dnsFailover without its plan: nothing was done");
        }
    }

    /** Who a run's trigger names in {@code dns_change}: a run the DNS doors started is the API's. */
    static String who(String trigger) {
        return trigger == null ? "unknown" : RunTrigger.DNS.stored().equals(trigger) ? "api" : trigger;
    }

    static boolean flag(String name, String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new DnsException(DnsException.Kind.INVALID, name + " must be true or false, not '" + value + "'");
    }

    /** Runs the failover to {@code target}; in a dry run records it in the plan and changes nothing. */
    synchronized Map<String, Object> failover(String target, boolean force, String triggeredBy) {
        Optional<DryRun> plan = DryRun.current();
        requireConfigured();
        if (target == null || target.isBlank()) {
            throw new DnsException(DnsException.Kind.INVALID, "target is required (one of: " + String.join(", ", config.targets().keySet()) + ")");
        }
        DnsConfig.Target t = config.targets().get(target.trim());
        if (t == null) {
            throw new DnsException(DnsException.Kind.INVALID, "unknown target '" + target + "' (configured: "
                    + String.join(", ", config.targets().keySet()) + ")");
        }
        Instant started = Instant.now();
        DnsRecord current = readCurrent();
        DnsRecord next = current.withValue(t.value(), config.ttl());
        Map<String, Object> result = describe(t.name(), current.value(), next.value());
        if (current.value().equals(next.value())) {
            result.put("outcome", "no-op");
            result.put("message", config.record() + " " + config.type() + " already points at " + next.value() + " (" + t.name() + ")");
            record(plan, change("failover", t.name(), current.value(), next.value(), "no-op", triggeredBy,
                    (String) result.get("message"), started, null, null, null), result);
            return result;
        }
        Optional<String> cooling = force ? Optional.empty() : coolingDown();
        long t0 = System.nanoTime();
        String unhealthy = precheck(t);
        long precheckMs = millisSince(t0);
        result.put("health", unhealthy == null ? "passed " + config.healthPasses() + " consecutive checks of " + t.healthUrl() : unhealthy);
        cooling.ifPresent(c -> result.put("cooldown", c));
        if (cooling.isPresent()) {
            throw new DnsException(DnsException.Kind.CONFLICT, cooling.get());
        }
        if (unhealthy != null) {
            String message = "refused: target '" + t.name() + "' is unhealthy: " + unhealthy + "; nothing was changed";
            record(plan, change("failover", t.name(), current.value(), next.value(), "refused", triggeredBy, message,
                    started, precheckMs, null, null), result);
            throw new DnsException(DnsException.Kind.UNPROCESSABLE, message);
        }
        return apply(plan, "failover", t.name(), current, next, triggeredBy, started, precheckMs, result);
    }

    /** The newest rows of {@code dns_change}. */
    List<Map<String, Object>> history(int limit) {
        return store.list(limit);
    }

    /** Puts back the value the last applied change replaced. */
    private synchronized Map<String, Object> rollbackBy(String triggeredBy) {
        Optional<DryRun> plan = DryRun.current();
        requireConfigured();
        Instant started = Instant.now();
        DnsChangeStore.Applied last = store.lastApplied(config.record(), config.type())
                .orElseThrow(() -> new DnsException(DnsException.Kind.CONFLICT, "nothing to roll back: no change of " + config.record() + " "
                        + config.type() + " was ever applied"));
        String previous = last.oldValue();
        DnsRecord current = readCurrent();
        DnsRecord next = current.withValue(previous, config.ttl());
        Map<String, Object> result = describe(null, current.value(), next.value());
        result.put("rollsBack", last.id());
        if (current.value().equals(next.value())) {
            result.put("outcome", "no-op");
            result.put("message", config.record() + " " + config.type() + " already points at " + previous);
            record(plan, change("rollback", null, current.value(), next.value(), "no-op", triggeredBy,
                    (String) result.get("message"), started, null, null, null), result);
            return result;
        }
        return apply(plan, "rollback", null, current, next, triggeredBy, started, null, result);
    }

    /**
     * Inserts the row of an attempt that changed nothing (no-op, refused) and puts its id in {@code result}; in a dry
     * run records the insert in the plan instead.
     */
    private void record(Optional<DryRun> plan, DnsChangeStore.Change change, Map<String, Object> result) {
        if (plan.isPresent()) {
            plan.get().wouldDo("sql", insertEffect(change));
            return;
        }
        result.put("changeId", store.insert(change));
    }

    /** How a dry run's plan names the {@code dns_change} row a real run inserts. */
    static String insertEffect(DnsChangeStore.Change c) {
        return "insert dns_change " + c.action() + " " + c.outcome() + ": " + c.detail();
    }

    /** How a dry run's plan names the change of the record: {@code UPDATE record <name> <type> <old> -> <new> TTL <ttl> at <where>}. */
    static String updateEffect(DnsRecord current, DnsRecord next, String location) {
        return "UPDATE record " + next.name() + " " + next.type() + " " + current.value() + " -> " + next.value() + " TTL "
                + next.ttl() + " at " + location;
    }

    private String appliedMessage(String target, DnsRecord current, DnsRecord next, String triggeredBy) {
        return config.record() + " " + config.type() + " changed from " + current.value() + " to " + next.value()
                + (target == null ? "" : " (" + target + ")") + " by " + triggeredBy + ", verified at " + verifierName();
    }

    /**
     * What a dry run records for a change a real run would apply: the update, the {@code dns_change} row of a verified
     * change and its notices (the notifier records those in the plan), in that order; nothing is changed or verified.
     */
    private Map<String, Object> rehearse(DryRun plan, String action, String target, DnsRecord current, DnsRecord next,
                                         String triggeredBy, Instant started, Long precheckMs, Map<String, Object> result) {
        int first = plan.effects().size();
        plan.wouldDo("dns", updateEffect(current, next, provider.location()));
        String message = appliedMessage(target, current, next, triggeredBy);
        plan.wouldDo("sql", insertEffect(change(action, target, current.value(), next.value(), "applied", triggeredBy,
                message, started, precheckMs, null, null)));
        notifyAll("DNS " + action + ": " + config.record() + " -> " + next.value(), message, "dns-change-dry-run-" + plan.runId());
        result.put("outcome", "plan");
        result.put("message", "would change " + config.record() + " " + config.type() + " from " + current.value() + " to "
                + next.value() + " (TTL " + config.ttl() + "), then verify at " + verifierName());
        List<Map<String, String>> effects = new ArrayList<>();
        for (DryRun.Effect e : plan.effects().subList(first, plan.effects().size())) {
            effects.add(Map.of("kind", e.kind(), "effect", e.effect()));
        }
        result.put("plan", effects);
        LOG.info("DNS {} rehearsed: would change {} {} from {} to {}", action, config.record(), config.type(),
                current.value(), next.value());
        return result;
    }

    private Map<String, Object> apply(Optional<DryRun> plan, String action, String target, DnsRecord current, DnsRecord next,
                                      String triggeredBy, Instant started, Long precheckMs, Map<String, Object> result) {
        if (plan.isPresent()) {
            return rehearse(plan.get(), action, target, current, next, triggeredBy, started, precheckMs, result);
        }
        long t0 = System.nanoTime();
        try {
            provider.replace(current, next);
        } catch (DnsException e) {
            store.insert(change(action, target, current.value(), next.value(), "failed", triggeredBy, e.getMessage(),
                    started, precheckMs, millisSince(t0), null));
            throw e;
        }
        long changeMs = millisSince(t0);
        long t1 = System.nanoTime();
        String seen = verify(next);
        long verifyMs = millisSince(t1);
        if (seen != null) {
            String detail = verifierName() + " still answered " + seen + " instead of " + next.value() + " after "
                    + config.verifyTimeout().toSeconds() + " s; ";
            try {
                provider.replace(next, current);
                detail += "rolled back to " + current.value();
            } catch (DnsException e) {
                detail += "the rollback to " + current.value() + " failed too: " + e.getMessage();
            }
            long id = store.insert(change(action, target, current.value(), next.value(), "rolled-back", triggeredBy,
                    detail, started, precheckMs, changeMs, verifyMs));
            String title = "DNS " + action + " of " + config.record() + " could not be verified";
            IncidentRaiser raiser = incidents.get();
            if (raiser != null) {
                raiser.raise("DnsChangeNotVerified/" + config.record(), "P1", title, detail + " (dns_change " + id + ")",
                        Map.of("record", config.record(), "job", "dns-" + action, "source", "dns"));
            } else {
                LOG.error("No incident service bound: could not page {}: {}", title, detail);
            }
            throw new DnsException(DnsException.Kind.FAILED, title + ": " + detail);
        }
        String message = appliedMessage(target, current, next, triggeredBy);
        long id = store.insert(change(action, target, current.value(), next.value(), "applied", triggeredBy, message,
                started, precheckMs, changeMs, verifyMs));
        result.put("outcome", "applied");
        result.put("message", message);
        result.put("changeId", id);
        result.put("precheckMs", precheckMs);
        result.put("changeMs", changeMs);
        result.put("verifyMs", verifyMs);
        result.put("totalMs", Duration.between(started, Instant.now()).toMillis());
        LOG.info("DNS {} {}: {}", action, id, message);
        notifyAll("DNS " + action + ": " + config.record() + " -> " + next.value(), message, "dns-change-" + id);
        return result;
    }

    private void notifyAll(String subject, String body, String key) {
        Notifier n = notifier.get();
        if (n == null) {
            LOG.warn("No notifier bound: not sending '{}'", subject);
            return;
        }
        for (String channel : config.notifyChannels()) {
            n.enqueue(channel, null, subject, body, key + "-" + channel, Map.of());
        }
    }

    /** Null when the target passed the configured number of consecutive checks; otherwise why not. */
    private String precheck(DnsConfig.Target t) {
        for (int pass = 1; pass <= config.healthPasses(); pass++) {
            HealthProbe.Result r = HealthProbe.check(t.healthUrl(), config.healthTimeout());
            if (!r.up()) {
                return t.healthUrl() + " " + r.error() + " (check " + pass + " of " + config.healthPasses() + ")";
            }
            if (pass < config.healthPasses()) {
                pause(config.healthInterval());
            }
        }
        return null;
    }

    /** Null once the authoritative server answers the new value; otherwise what it still answered at the timeout. */
    private String verify(DnsRecord next) {
        long deadline = System.nanoTime() + config.verifyTimeout().toNanos();
        String seen;
        while (true) {
            try {
                List<String> values = authoritative(next);
                seen = values.isEmpty() ? "nothing" : String.join(",", values);
                if (values.equals(List.of(next.value()))) {
                    return null;
                }
            } catch (DnsException e) {
                seen = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return seen;
            }
            pause(config.verifyInterval());
        }
    }

    private List<String> authoritative(DnsRecord r) {
        Duration timeout = config.verifyInterval().compareTo(Duration.ofSeconds(2)) > 0 ? config.verifyInterval() : Duration.ofSeconds(2);
        if (config.verifyServer() != null) {
            return DnsQuery.values(DnsQuery.parseServer(config.verifyServer()), r.name(), r.type(), timeout);
        }
        if (provider instanceof Rfc2136Provider rfc) {
            return DnsQuery.values(rfc.server(), r.name(), r.type(), timeout);
        }
        return provider.read(r.name(), r.type()).map(x -> List.of(x.value())).orElse(List.of());
    }

    private String verifierName() {
        if (config.verifyServer() != null) {
            return config.verifyServer();
        }
        if (provider instanceof Rfc2136Provider rfc) {
            InetSocketAddress s = rfc.server();
            return DnsQuery.address(s);
        }
        return provider.id() + " API";
    }

    private Optional<String> coolingDown() {
        return store.lastApplied(config.record(), config.type()).flatMap(last -> {
            Duration since = Duration.between(last.finishedAt(), Instant.now());
            if (since.compareTo(config.cooldown()) >= 0) {
                return Optional.empty();
            }
            return Optional.of("refused: " + config.record() + " " + config.type() + " was changed " + since.toSeconds()
                    + " s ago (dns_change " + last.id() + "); the cooldown is " + config.cooldown().toSeconds()
                    + " s: pass force=true to swap anyway");
        });
    }

    private DnsRecord readCurrent() {
        return provider.read(config.record(), config.type()).orElseThrow(() -> new DnsException(DnsException.Kind.UNPROCESSABLE, config.record() + " "
                + config.type() + " does not exist at " + provider.id() + ": create it before a failover can swap it"));
    }

    private Map<String, Object> describe(String target, String from, String to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("record", config.record());
        m.put("type", config.type());
        m.put("provider", provider.id());
        if (target != null) {
            m.put("target", target);
        }
        m.put("from", from);
        m.put("to", to);
        m.put("ttl", config.ttl());
        return m;
    }

    private DnsChangeStore.Change change(String action, String target, String oldValue, String newValue, String outcome,
                                         String triggeredBy, String detail, Instant started, Long precheckMs,
                                         Long changeMs, Long verifyMs) {
        return new DnsChangeStore.Change(action, config.record(), config.type(), provider.id(), target, oldValue, newValue,
                config.ttl(), outcome, triggeredBy == null ? "unknown" : triggeredBy, detail, started, precheckMs,
                changeMs, verifyMs);
    }

    private void requireConfigured() {
        if (!config.problems().isEmpty()) {
            throw new DnsException(DnsException.Kind.UNAVAILABLE, "DNS failover is not configured: " + String.join("; ", config.problems()));
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsException(DnsException.Kind.UNAVAILABLE, "interrupted");
        }
    }
}
