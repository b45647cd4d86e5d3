/**
 * DNS failover: the provider interface and its RFC 2136/TSIG, Cloudflare and Google Cloud DNS implementations, the
 * guarded swap-verify-rollback flow, the {@code dns_change} history, and the {@code /api/runbooks/dns-*} doors, which
 * run the DNS runbooks and answer with the run's outcome.
 */
package com.runbook.engine.dns;
