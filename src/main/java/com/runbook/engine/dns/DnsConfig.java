package com.runbook.engine.dns;

import com.runbook.engine.definition.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code runbook.dns.*} settings: the record, its provider, the targets it may point at, and the guards. Every
 * problem is collected in {@link #problems()} (the failover refuses to run while there is one).
 */
public record DnsConfig(String record, String type, long ttl, String provider, Map<String, Target> targets,
                        Duration cooldown, Duration verifyTimeout, Duration verifyInterval, String verifyServer,
                        int healthPasses, Duration healthInterval, Duration healthTimeout, List<String> notifyChannels,
                        String failoverTarget,
                        List<String> problems) {

    /** A value the record may be given, and the URL that says whether it is healthy. */
    public record Target(String name, String value, String healthUrl) {
    }

    /** Reads the settings through {@code property} (key to value, null when unset). */
    public static DnsConfig from(Function<String, String> property) {
        List<String> problems = new ArrayList<>();
        String record = blankToNull(property.apply("runbook.dns.record"));
        if (record == null) {
            problems.add("runbook.dns.record is not set (the record to swap, e.g. app.example.com)");
        }
        String type = or(property.apply("runbook.dns.type"), "A").toUpperCase();
        if (!List.of("A", "AAAA", "CNAME").contains(type)) {
            problems.add("runbook.dns.type must be A, AAAA or CNAME, not '" + type + "'");
        }
        long ttl = number(property, "runbook.dns.ttl", 300, problems);
        String provider = or(property.apply("runbook.dns.provider"), "rfc2136");
        if (!List.of("rfc2136", "cloudflare", "google").contains(provider)) {
            problems.add("runbook.dns.provider must be rfc2136, cloudflare or google, not '" + provider + "'");
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        for (String name : Arrays.stream(or(property.apply("runbook.dns.targets"), "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            String value = blankToNull(property.apply("runbook.dns.target." + name + ".value"));
            String health = blankToNull(property.apply("runbook.dns.target." + name + ".health-url"));
            if (value == null) {
                problems.add("runbook.dns.target." + name + ".value is not set");
                continue;
            }
            try {
                DnsRecord.normalize(type, value);
            } catch (IllegalArgumentException e) {
                problems.add("runbook.dns.target." + name + ".value: " + e.getMessage());
            }
            if (health == null) {
                problems.add("runbook.dns.target." + name + ".health-url is not set (a target must be checked before a swap)");
            }
            targets.put(name, new Target(name, value, health));
        }
        if (targets.isEmpty()) {
            problems.add("runbook.dns.targets names no target (e.g. primary,backup)");
        }
        List<String> channels = Arrays.stream(or(property.apply("runbook.dns.notify-channels"), "email,telegram").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new DnsConfig(record == null ? null : DnsRecord.fqdn(record), type, ttl, provider, targets,
                duration(property, "runbook.dns.cooldown", "10m", problems),
                duration(property, "runbook.dns.verify-timeout", "60s", problems),
                duration(property, "runbook.dns.verify-interval", "500ms", problems),
                blankToNull(property.apply("runbook.dns.verify-server")),
                (int) number(property, "runbook.dns.health-passes", 3, problems),
                duration(property, "runbook.dns.health-interval", "1s", problems),
                duration(property, "runbook.dns.health-timeout", "5s", problems),
                channels, or(property.apply("runbook.dns.failover-target"), "backup"), List.copyOf(problems));
    }

    /** This configuration with more problems (e.g. the provider's missing settings). */
    public DnsConfig withProblems(List<String> more) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(more);
        return new DnsConfig(record, type, ttl, provider, targets, cooldown, verifyTimeout, verifyInterval, verifyServer,
                healthPasses, healthInterval, healthTimeout, notifyChannels, failoverTarget, List.copyOf(all));
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static String or(String s, String dflt) {
        return s == null || s.isBlank() ? dflt : s.trim();
    }

    private static Duration duration(Function<String, String> property, String key, String dflt, List<String> problems) {
        try {
            return Durations.parse(or(property.apply(key), dflt));
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
            return Durations.parse(dflt);
        }
    }

    private static long number(Function<String, String> property, String key, long dflt, List<String> problems) {
        String text = or(property.apply(key), Long.toString(dflt));
        try {
            long n = Long.parseLong(text);
            if (n < 1) {
                problems.add(key + " must be at least 1, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(key + " must be a number, not '" + text + "'");
            return dflt;
        }
    }
}
