package com.runbook.engine.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * RFC 2136 dynamic update signed with a TSIG key (RFC 8945): BIND, PowerDNS, Knot, Windows DNS. Reads ask the same
 * primary server, which is authoritative for the zone.
 */
final class Rfc2136Provider implements DnsProvider {
    private final InetSocketAddress server;
    private final Name zone;
    private final TSIG tsig;
    private final Duration timeout;

    Rfc2136Provider(InetSocketAddress server, String zone, String keyName, String algorithm, String secret,
                           Duration timeout) {
        this.server = server;
        this.timeout = timeout;
        try {
            this.zone = Name.fromString(DnsRecord.fqdn(zone));
            this.tsig = new TSIG(Name.fromString(DnsRecord.fqdn(algorithm)), Name.fromString(DnsRecord.fqdn(keyName)), secret);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid zone or TSIG key name: " + e.getMessage());
        }
    }

    @Override
    public String id() {
        return "rfc2136";
    }

    @Override
    public String location() {
        return DnsQuery.address(server);
    }

    InetSocketAddress server() {
        return server;
    }

    @Override
    public Optional<DnsRecord> read(String name, String type) {
        List<String> values = DnsQuery.values(server, name, type, timeout);
        // the TTL is not needed to restore a value: the configured TTL is written back
        return values.stream().findFirst().map(v -> new DnsRecord(name, type, 0, v, null));
    }

    @Override
    public void replace(DnsRecord current, DnsRecord next) {
        try {
            Update update = new Update(zone);
            Name name = Name.fromString(next.name());
            update.delete(name, Type.value(next.type()));
            update.add(name, Type.value(next.type()), next.ttl(), next.value());
            SimpleResolver resolver = new SimpleResolver(server);
            resolver.setTimeout(timeout);
            resolver.setTCP(true);
            resolver.setTSIGKey(tsig);
            Message response = resolver.send(update);
            if (response.getRcode() != Rcode.NOERROR) {
                TSIGRecord signature = response.getTSIG();
                String tsigError = signature != null && signature.getError() != Rcode.NOERROR
                        ? " (TSIG " + Rcode.TSIGstring(signature.getError()) + ")" : "";
                throw new DnsException(DnsException.Kind.FAILED, "DNS update of " + next.name() + " " + next.type() + " refused by "
                        + DnsQuery.address(server) + ": " + Rcode.string(response.getRcode()) + tsigError);
            }
        } catch (IOException e) {
            throw new DnsException(DnsException.Kind.FAILED, "DNS update of " + next.name() + " " + next.type() + " at "
                    + DnsQuery.address(server) + " failed: " + e.getMessage());
        }
    }
}
