package com.runbook.engine.dns;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** How a dry run's plan names the DNS effects: the record change and the dns_change row. */
class DnsPlanTest {
    @Test
    void theChangeNamesRecordTypeOldAndNewValueTtlAndWhere() {
        DnsRecord current = new DnsRecord("trading.example.com.", "A", 0, "10.0.0.5", null);
        assertThat(DnsFailover.updateEffect(current, current.withValue("10.1.0.5", 300), "ns1.example.com:53"))
                .isEqualTo("UPDATE record trading.example.com. A 10.0.0.5 -> 10.1.0.5 TTL 300 at ns1.example.com:53");
    }

    @Test
    void theRowNamesActionOutcomeAndDetail() {
        DnsChangeStore.Change c = new DnsChangeStore.Change("failover", "trading.example.com.", "A", "rfc2136", "backup",
                "10.0.0.5", "10.1.0.5", 300, "refused", "dry-run", "refused: target 'backup' is unhealthy", Instant.EPOCH,
                null, null, null);
        assertThat(DnsFailover.insertEffect(c)).isEqualTo("insert dns_change failover refused: refused: target 'backup' is unhealthy");
    }

    @Test
    void eachProviderSaysWhereItsChangesGo() {
        assertThat(new Rfc2136Provider(new java.net.InetSocketAddress("127.0.0.1", 5353), "example.com", "k", "hmac-sha256",
                "c2VjcmV0", Duration.ofSeconds(1)).location()).isEqualTo("127.0.0.1:5353");
        assertThat(new CloudflareProvider("https://api.cloudflare.com/client/v4", "zone-1", "token", Duration.ofSeconds(1)).location())
                .isEqualTo("Cloudflare zone zone-1");
        assertThat(new GoogleCloudDnsProvider("https://dns.googleapis.com/dns/v1", "proj", "prod-zone", "token",
                Duration.ofSeconds(1)).location()).isEqualTo("Google Cloud DNS zone proj/prod-zone");
    }
}
