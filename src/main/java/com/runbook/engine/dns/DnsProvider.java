package com.runbook.engine.dns;

import java.util.Optional;

/** Where a zone's records are changed: an RFC 2136 server, Cloudflare, Google Cloud DNS. */
interface DnsProvider {
    /** Short name recorded in {@code dns_change}: rfc2136, cloudflare, google. */
    String id();

    /** Where a change goes, as a dry run's plan names it: the server ({@code host:port}), or the provider's zone. */
    default String location() {
        return id();
    }

    /** The record set (name, type) as the provider holds it now; empty when there is none. */
    Optional<DnsRecord> read(String name, String type) throws DnsException;

    /** Replaces the record set {@code current} (as {@link #read} returned it) with {@code next}. */
    void replace(DnsRecord current, DnsRecord next) throws DnsException;
}
