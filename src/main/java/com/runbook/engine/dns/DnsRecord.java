package com.runbook.engine.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One DNS record as a provider holds it.
 *
 * @param name  fully qualified, with the trailing dot ({@code app.example.com.})
 * @param type  A, AAAA or CNAME
 * @param value the address, or the CNAME target (fully qualified)
 * @param ref   the provider's own id for the record (Cloudflare's record id), or null
 */
record DnsRecord(String name, String type, long ttl, String value, String ref) {
    public DnsRecord {
        name = fqdn(name);
        type = type.toUpperCase(Locale.ROOT);
        value = normalize(type, value);
    }

    DnsRecord withValue(String newValue, long newTtl) {
        return new DnsRecord(name, type, newTtl, newValue, ref);
    }

    static String fqdn(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n : n + ".";
    }

    /** The canonical text of a value, so that equal values compare equal whatever the provider's spelling. */
    static String normalize(String type, String value) {
        String v = value.trim();
        switch (type.toUpperCase(Locale.ROOT)) {
            case "CNAME":
                return fqdn(v);
            case "A":
            case "AAAA":
                if (!v.matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("'" + v + "' is not an IP address for a " + type + " record");
                }
                try {
                    return InetAddress.getByName(v).getHostAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("'" + v + "' is not an IP address for a " + type + " record");
                }
            default:
                throw new IllegalArgumentException("record type must be A, AAAA or CNAME, not '" + type + "'");
        }
    }

    /** {@code fqdn} without the trailing dot, as HTTP APIs such as Cloudflare's spell names. */
    String bareName() {
        return name.substring(0, name.length() - 1);
    }
}
