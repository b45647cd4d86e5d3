package com.runbook.engine.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Asks one DNS server directly (no recursion, no cache) what it answers for a name and type. */
public final class DnsQuery {
    private DnsQuery() {
    }

    /** The values the server answers, normalised; empty for NXDOMAIN or no data. */
    public static List<String> values(InetSocketAddress server, String name, String type, Duration timeout) {
        try {
            SimpleResolver resolver = new SimpleResolver(server);
            resolver.setTimeout(timeout);
            Message query = Message.newQuery(Record.newRecord(Name.fromString(DnsRecord.fqdn(name)), Type.value(type), DClass.IN));
            Message response = resolver.send(query);
            int rcode = response.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                throw new DnsException(DnsException.Kind.FAILED, "DNS query for " + name + " " + type + " at " + address(server)
                        + " failed: " + Rcode.string(rcode));
            }
            return response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.value(type))
                    .map(r -> DnsRecord.normalize(type, r.rdataToString())).toList();
        } catch (TextParseException e) {
            throw new DnsException(DnsException.Kind.INVALID, "invalid DNS name '" + name + "'");
        } catch (IOException e) {
            throw new DnsException(DnsException.Kind.FAILED, "DNS query for " + name + " " + type + " at " + address(server)
                    + " failed: " + e.getMessage());
        }
    }

    static String address(InetSocketAddress server) {
        return server.getHostString() + ":" + server.getPort();
    }

    /** {@code host:port} (port default 53) as a socket address. */
    static InetSocketAddress parseServer(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon > 0 && t.indexOf(':') == colon) {
            return new InetSocketAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
        }
        return new InetSocketAddress(t, 53);
    }
}
