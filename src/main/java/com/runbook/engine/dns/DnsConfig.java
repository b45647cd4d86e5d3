package com.runbook.engine.dns;

import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code runbook.dns.*} settings: the record, its provider, the targets it may point at, and the guards. Every
 * problem is collected in {@link #problems()} (the failover refuses to run while there is one).
 */
record DnsConfig(String record, String type, long ttl, String provider, Map<String, Target> targets,
                        Duration cooldown, Duration verifyTimeout, Duration verifyInterval, String verifyServer,
                        int healthPasses, Duration healthInterval, Duration healthTimeout, List<String> notifyChannels,
                        String failoverTarget,
                        List<String> problems) {

    /** A value the record may be given, and the URL that says whether it is healthy. */
    record Target(String name, String value, String healthUrl) {
    }

    /** Reads the settings; a value that is wrong is a problem, not an exception (the engine starts, DNS failover refuses). */
    static DnsConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        String record = s.optional("runbook.dns.record").orElse(null);
        if (record == null) {
            problems.add(Settings.named("runbook.dns.record") + " is not set (the record to swap, e.g. app.example.com)");
        }
        String type = s.text("runbook.dns.type").trim().toUpperCase(Locale.ROOT);
        if (!List.of("A", "AAAA", "CNAME").contains(type)) {
            problems.add("runbook.dns.type must be A, AAAA or CNAME, not '" + type + "'");
        }
        long ttl = number(s, "runbook.dns.ttl", problems);
        String provider = s.text("runbook.dns.provider").trim();
        if (!List.of("rfc2136", "cloudflare", "google").contains(provider)) {
            problems.add("runbook.dns.provider must be rfc2136, cloudflare or google, not '" + provider + "'");
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        for (String name : s.list("runbook.dns.targets")) {
            String value = s.optional("runbook.dns.target." + name + ".value").orElse(null);
            String health = s.optional("runbook.dns.target." + name + ".health-url").orElse(null);
            if (value == null) {
                problems.add(Settings.named("runbook.dns.target." + name + ".value") + " is not set");
                continue;
            }
            try {
                DnsRecord.normalize(type, value);
            } catch (IllegalArgumentException e) {
                problems.add("runbook.dns.target." + name + ".value: " + e.getMessage());
            }
            if (health == null) {
                problems.add(Settings.named("runbook.dns.target." + name + ".health-url")
                        + " is not set (a target must be checked before a swap)");
            }
            targets.put(name, new Target(name, value, health));
        }
        if (targets.isEmpty()) {
            problems.add("runbook.dns.targets names no target (e.g. primary,backup)");
        }
        return new DnsConfig(record == null ? null : DnsRecord.fqdn(record), type, ttl, provider, targets,
                duration(s, "runbook.dns.cooldown", problems),
                duration(s, "runbook.dns.verify-timeout", problems),
                duration(s, "runbook.dns.verify-interval", problems),
                s.optional("runbook.dns.verify-server").orElse(null),
                (int) number(s, "runbook.dns.health-passes", problems),
                duration(s, "runbook.dns.health-interval", problems),
                duration(s, "runbook.dns.health-timeout", problems),
                s.list("runbook.dns.notify-channels"), s.text("runbook.dns.failover-target").trim(), List.copyOf(problems));
    }

    /** This configuration with more problems (e.g. the provider's missing settings). */
    DnsConfig withProblems(List<String> more) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(more);
        return new DnsConfig(record, type, ttl, provider, targets, cooldown, verifyTimeout, verifyInterval, verifyServer,
                healthPasses, healthInterval, healthTimeout, notifyChannels, failoverTarget, List.copyOf(all));
    }

    /** The duration {@code key} says; a wrong one is a problem (and zero, never used: the failover refuses). */
    static Duration duration(Settings s, String key, List<String> problems) {
        try {
            return s.duration(key);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return Duration.ZERO;
        }
    }

    private static long number(Settings s, String key, List<String> problems) {
        String text = s.text(key).trim();
        try {
            long n = Long.parseLong(text);
            if (n < 1) {
                problems.add(key + " must be at least 1, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(key + " must be a number, not '" + text + "'");
            return 0;
        }
    }
}
