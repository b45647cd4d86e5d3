package com.runbook.engine.dns;

import com.runbook.engine.settings.Settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds the provider {@code runbook.dns.provider} names from its {@code runbook.dns.<provider>.*} settings, each read
 * with {@link Settings#optional} (an empty one is reported missing only for the provider in use).
 */
final class DnsProviders {
    private DnsProviders() {
    }

    /** The provider, or null with the reasons added to {@code problems}. */
    static DnsProvider create(String provider, Settings s, List<String> problems) {
        List<String> missing = new ArrayList<>();
        Function<String, String> required = key -> s.optional(key).orElseGet(() -> {
            missing.add(key);
            return null;
        });
        Duration timeout = DnsConfig.duration(s, "runbook.dns.request-timeout", problems);
        DnsProvider result = switch (provider) {
            case "rfc2136" -> {
                String server = required.apply("runbook.dns.rfc2136.server");
                String zone = required.apply("runbook.dns.rfc2136.zone");
                String key = required.apply("runbook.dns.rfc2136.tsig-key-name");
                String secret = required.apply("runbook.dns.rfc2136.tsig-secret");
                String algorithm = required.apply("runbook.dns.rfc2136.tsig-algorithm");
                yield missing.isEmpty() ? new Rfc2136Provider(DnsQuery.parseServer(server), zone, key, algorithm, secret, timeout) : null;
            }
            case "cloudflare" -> {
                String zoneId = required.apply("runbook.dns.cloudflare.zone-id");
                String token = required.apply("runbook.dns.cloudflare.api-token");
                String base = required.apply("runbook.dns.cloudflare.base-url");
                yield missing.isEmpty() ? new CloudflareProvider(base, zoneId, token, timeout) : null;
            }
            case "google" -> {
                String project = required.apply("runbook.dns.google.project");
                String zone = required.apply("runbook.dns.google.managed-zone");
                String token = required.apply("runbook.dns.google.access-token");
                String base = required.apply("runbook.dns.google.base-url");
                yield missing.isEmpty() ? new GoogleCloudDnsProvider(base, project, zone, token, timeout) : null;
            }
            default -> null;
        };
        missing.forEach(key -> problems.add(Settings.named(key) + " is not set (needed by provider " + provider + ")"));
        return result;
    }
}
