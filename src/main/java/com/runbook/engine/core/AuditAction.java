package com.runbook.engine.core;

/** The changes of state the audit trail records, each stored as its dotted name ({@code run.started}). */
public enum AuditAction {
    /** A run started (manual, schedule, alert, DNS door, dry run): job, trigger, masked parameters, dry run or not. */
    RUN_STARTED("run.started"),
    /** An incident acknowledged. */
    INCIDENT_ACKNOWLEDGED("incident.acknowledged"),
    /** Trading halted through the trading API (emergency stop). */
    TRADING_HALTED("trading.halted"),
    /** Trading resumed through the trading API. */
    TRADING_RESUMED("trading.resumed"),
    /** A DNS record changed (failover). */
    DNS_CHANGED("dns.changed"),
    /** A DNS change rolled back. */
    DNS_ROLLED_BACK("dns.rolled-back"),
    /** A dead or failed page sent again. */
    PAGE_RETRIED("page.retried"),
    /** A personal API token created. */
    TOKEN_CREATED("token.created"),
    /** A personal API token revoked. */
    TOKEN_REVOKED("token.revoked"),
    /** A runbook or schedule file applied (at start or by a reload): its SHA-256 and diff against the last one. */
    RELOAD_APPLIED("reload.applied"),
    /** A runbook or schedule file refused: its SHA-256, diff and problems; the version in force stays. */
    RELOAD_REFUSED("reload.refused");

    private final String stored;

    AuditAction(String stored) {
        this.stored = stored;
    }

    /** The name stored and shown: {@code run.started}. */
    public String stored() {
        return stored;
    }
}
