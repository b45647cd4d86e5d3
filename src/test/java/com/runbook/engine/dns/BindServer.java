package com.runbook.engine.dns;

import com.runbook.engine.FakeHealth;
import com.runbook.engine.TestEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;

/**
 * A real BIND 9 ({@code named -g}) on a loopback high port, serving one zone from a generated file; with a TSIG key,
 * the zone accepts RFC 2136 updates signed with it. Started and stopped by tests.
 */
public final class BindServer implements AutoCloseable {
    public static final String KEY_NAME = "runbook-key";
    private final Process process;
    private final int port;
    private final Path dir;
    private final String zone;
    private final String secret;

    private BindServer(Process process, int port, Path dir, String zone, String secret) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.zone = zone;
        this.secret = secret;
    }

    public static String newSecret() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** @param secret the TSIG secret that may update the zone; null makes the zone read-only */
    public static BindServer start(Path dir, String zone, String records, String secret) throws IOException {
        Files.createDirectories(dir);
        int port = TestEngine.freePort();
        Files.writeString(dir.resolve("zone.db"), "$TTL 300\n@ IN SOA ns1." + zone + ". admin." + zone + ". 1 3600 600 86400 60\n"
                + "@ IN NS ns1." + zone + ".\nns1 IN A 127.0.0.1\n" + records);
        String key = secret == null ? "" : "key \"" + KEY_NAME + "\" { algorithm hmac-sha256; secret \"" + secret + "\"; };\n";
        Files.writeString(dir.resolve("named.conf"), "options { directory \"" + dir + "\"; pid-file none;"
                + " listen-on port " + port + " { 127.0.0.1; }; listen-on-v6 { none; }; recursion no;"
                + " dnssec-validation no; notify no; };\ncontrols { };\n" + key
                + "zone \"" + zone + "\" { type primary; file \"" + dir.resolve("zone.db") + "\";"
                + (secret == null ? "" : " allow-update { key \"" + KEY_NAME + "\"; };") + " };\n");
        Process p = new ProcessBuilder("/usr/sbin/named", "-g", "-c", dir.resolve("named.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("named.log").toFile()).start();
        BindServer server = new BindServer(p, port, dir, zone, secret);
        InetSocketAddress address = server.address();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("named exited: " + Files.readString(dir.resolve("named.log")));
            }
            return !DnsQuery.values(address, "ns1." + zone, "A", Duration.ofMillis(500)).isEmpty();
        });
        return server;
    }

    /**
     * The engine properties that make dns-failover swap {@code app.<zone>} on this server (RFC 2136 with its TSIG key)
     * between the targets primary and backup, each with a health URL on {@code health}; checks and verification polled
     * fast, as a test wants them.
     */
    public Map<String, String> failoverProperties(String primary, String backup, FakeHealth health) {
        return Map.ofEntries(
                Map.entry("runbook.dns.record", "app." + zone),
                Map.entry("runbook.dns.rfc2136.server", hostPort()),
                Map.entry("runbook.dns.rfc2136.zone", zone),
                Map.entry("runbook.dns.rfc2136.tsig-key-name", KEY_NAME),
                Map.entry("runbook.dns.rfc2136.tsig-secret", secret),
                Map.entry("runbook.dns.targets", "primary,backup"),
                Map.entry("runbook.dns.target.primary.value", primary),
                Map.entry("runbook.dns.target.primary.health-url", health.url("/primary/health")),
                Map.entry("runbook.dns.target.backup.value", backup),
                Map.entry("runbook.dns.target.backup.health-url", health.url("/backup/health")),
                Map.entry("runbook.dns.health-interval", "50ms"),
                Map.entry("runbook.dns.verify-interval", "100ms"));
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("named.log"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
