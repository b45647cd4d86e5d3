/**
 * DNS failover: the provider interface and its RFC 2136/TSIG, Cloudflare and Google Cloud DNS implementations, the
 * guarded swap-verify-rollback flow, the {@code dns_change} history, and the {@code /api/runbooks/dns-*} doors, which
 * run the DNS runbooks (or, with {@code dryRun}, a dry run of them) and answer with the run's outcome. In a dry run
 * the swap reads and checks as a real one and records the record change, its row and its notices in the run's plan.
 */
package com.runbook.engine.dns;
