package com.runbook.engine.dns;

import com.runbook.engine.definition.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Builds the provider {@code runbook.dns.provider} names from its {@code runbook.dns.<provider>.*} settings. */
public final class DnsProviders {
    private DnsProviders() {
    }

    /** The provider, or null with the reasons added to {@code problems}. */
    public static DnsProvider create(String provider, Function<String, String> property, List<String> problems) {
        List<String> missing = new ArrayList<>();
        Function<String, String> required = key -> {
            String v = DnsConfig.blankToNull(property.apply(key));
            if (v == null) {
                missing.add(key);
            }
            return v;
        };
        Duration timeout = Durations.parse(DnsConfig.or(property.apply("runbook.dns.request-timeout"), "10s"));
        DnsProvider result = switch (provider) {
            case "rfc2136" -> {
                String server = required.apply("runbook.dns.rfc2136.server");
                String zone = required.apply("runbook.dns.rfc2136.zone");
                String key = required.apply("runbook.dns.rfc2136.tsig-key-name");
                String secret = required.apply("runbook.dns.rfc2136.tsig-secret");
                String algorithm = DnsConfig.or(property.apply("runbook.dns.rfc2136.tsig-algorithm"), "hmac-sha256");
                yield missing.isEmpty() ? new Rfc2136Provider(DnsQuery.parseServer(server), zone, key, algorithm, secret, timeout) : null;
            }
            case "cloudflare" -> {
                String zoneId = required.apply("runbook.dns.cloudflare.zone-id");
                String token = required.apply("runbook.dns.cloudflare.api-token");
                String base = DnsConfig.or(property.apply("runbook.dns.cloudflare.base-url"), "https://api.cloudflare.com/client/v4");
                yield missing.isEmpty() ? new CloudflareProvider(base, zoneId, token, timeout) : null;
            }
            case "google" -> {
                String project = required.apply("runbook.dns.google.project");
                String zone = required.apply("runbook.dns.google.managed-zone");
                String token = required.apply("runbook.dns.google.access-token");
                String base = DnsConfig.or(property.apply("runbook.dns.google.base-url"), "https://dns.googleapis.com/dns/v1");
                yield missing.isEmpty() ? new GoogleCloudDnsProvider(base, project, zone, token, timeout) : null;
            }
            default -> null;
        };
        missing.forEach(key -> problems.add(key + " is not set (needed by provider " + provider + ")"));
        return result;
    }
}
