package com.runbook.engine.dns;

import com.runbook.engine.ShippedSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DnsConfigTest {
    @Test
    void defaultsFollowTheRunbook() {
        DnsConfig c = DnsConfig.from(ShippedSettings.with(Map.of("runbook.dns.record", "App.Example.com", "runbook.dns.targets", "backup",
                "runbook.dns.target.backup.value", "198.51.100.20", "runbook.dns.target.backup.health-url", "http://b/health")));
        assertThat(c.problems()).isEmpty();
        assertThat(c.record()).isEqualTo("app.example.com.");
        assertThat(c.type()).isEqualTo("A");
        assertThat(c.ttl()).isEqualTo(300);
        assertThat(c.cooldown()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.healthPasses()).isEqualTo(3);
        assertThat(c.failoverTarget()).isEqualTo("backup");
    }

    @Test
    void everyProblemIsListed() {
        DnsConfig c = DnsConfig.from(ShippedSettings.with(Map.of("runbook.dns.type", "MX", "runbook.dns.ttl", "soon", "runbook.dns.targets", "a,b",
                "runbook.dns.target.a.value", "not-an-ip", "runbook.dns.target.a.health-url", "http://a",
                "runbook.dns.cooldown", "forever")));
        List<String> problems = new ArrayList<>(c.problems());
        DnsProviders.create("cloudflare", ShippedSettings.with(Map.of()), problems);
        assertThat(problems).containsExactly(
                "runbook.dns.record (env RUNBOOK_DNS_RECORD) is not set (the record to swap, e.g. app.example.com)",
                "runbook.dns.type must be A, AAAA or CNAME, not 'MX'",
                "runbook.dns.ttl must be a number, not 'soon'",
                "runbook.dns.target.a.value: record type must be A, AAAA or CNAME, not 'MX'",
                "runbook.dns.target.b.value (env RUNBOOK_DNS_TARGET_B_VALUE) is not set",
                "runbook.dns.cooldown: invalid duration 'forever' (use e.g. 500ms, 15s, 5m, 2h, 1d)",
                "runbook.dns.cloudflare.zone-id (env CLOUDFLARE_ZONE_ID) is not set (needed by provider cloudflare)",
                "runbook.dns.cloudflare.api-token (env CLOUDFLARE_API_TOKEN) is not set (needed by provider cloudflare)");
    }

    @Test
    void valuesAreComparedInCanonicalForm() {
        assertThat(DnsRecord.normalize("AAAA", "2001:DB8:0:0::20")).isEqualTo(DnsRecord.normalize("AAAA", "2001:db8::20"));
        assertThat(DnsRecord.normalize("CNAME", "Green.Example.com")).isEqualTo("green.example.com.");
    }
}
