package com.runbook.engine.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 2136 updates signed with TSIG against a real BIND. */
class Rfc2136ProviderTest {
    static final String ZONE = "example.test";
    @TempDir
    static Path dir;
    static BindServer bind;
    static String secret = BindServer.newSecret();

    @BeforeAll
    static void startBind() throws Exception {
        bind = BindServer.start(dir.resolve("bind"), ZONE, "app IN A 192.0.2.10\nwww IN CNAME app\nv6 IN AAAA 2001:db8::10\n", secret);
    }

    @AfterAll
    static void stopBind() {
        bind.close();
    }

    private Rfc2136Provider provider(String key) {
        return new Rfc2136Provider(bind.address(), ZONE, BindServer.KEY_NAME, "hmac-sha256", key, Duration.ofSeconds(5));
    }

    @Test
    void swapsAnARecordAndTheServerAnswersTheNewValue() {
        Rfc2136Provider p = provider(secret);
        DnsRecord current = p.read("app.example.test", "A").orElseThrow();
        assertThat(current.value()).isEqualTo("192.0.2.10");
        p.replace(current, current.withValue("198.51.100.20", 300));
        assertThat(DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2))).containsExactly("198.51.100.20");
        p.replace(current.withValue("198.51.100.20", 300), current.withValue("192.0.2.10", 300));
        assertThat(DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2))).containsExactly("192.0.2.10");
    }

    @Test
    void swapsCnameAndAaaaRecords() {
        Rfc2136Provider p = provider(secret);
        DnsRecord cname = p.read("www.example.test", "CNAME").orElseThrow();
        assertThat(cname.value()).isEqualTo("app.example.test.");
        p.replace(cname, cname.withValue("green.example.test", 300));
        assertThat(DnsQuery.values(bind.address(), "www.example.test", "CNAME", Duration.ofSeconds(2))).containsExactly("green.example.test.");
        DnsRecord v6 = p.read("v6.example.test", "AAAA").orElseThrow();
        p.replace(v6, v6.withValue("2001:DB8:0:0::20", 300));
        assertThat(DnsQuery.values(bind.address(), "v6.example.test", "AAAA", Duration.ofSeconds(2)))
                .containsExactly(DnsRecord.normalize("AAAA", "2001:db8::20"));
    }

    @Test
    void aWrongTsigKeyIsRefusedAndNothingChanges() {
        Rfc2136Provider p = provider(BindServer.newSecret());
        DnsRecord current = p.read("app.example.test", "A").orElseThrow();
        assertThatThrownBy(() -> p.replace(current, current.withValue("203.0.113.99", 300)))
                .isInstanceOf(DnsException.class)
                .hasMessage("DNS update of app.example.test. A refused by " + bind.hostPort() + ": NOTAUTH (TSIG BADSIG)");
        assertThat(DnsQuery.values(bind.address(), "app.example.test", "A", Duration.ofSeconds(2))).isEqualTo(List.of(current.value()));
    }
}
