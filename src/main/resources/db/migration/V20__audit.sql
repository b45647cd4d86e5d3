-- The audit trail (issue 23): every change of state, append-only and hash-chained. Rows are only ever inserted, by
-- audit/AuditTrail just before the transaction of the change commits; nothing in the engine updates or deletes them,
-- and `./runbook audit --verify` (GET /api/audit/verify) finds a row altered, removed or reordered by hand.
create table audit_entry (
    seq       bigint        not null primary key,  -- the entry's place in the chain, from 1, without gaps
    at        timestamp with time zone not null,   -- when its transaction committed (milliseconds)
    actor     varchar(300)  not null,   -- who or what: token:alice, schedule:nightly-backup, alert:<fingerprint>, engine:<part>
    action    varchar(60)   not null,   -- run.started, incident.acknowledged, token.created, ... (core/AuditAction)
    job       varchar(200),             -- the runbook it concerns, or null
    subject   varchar(1000),            -- what it changed: run 42, incident 7, token alice, routes/<file>
    detail    varchar(1000000) not null,-- the facts as a JSON object (secrets masked by whoever records the entry)
    prev_hash varchar(64)   not null,   -- the hash of the entry before (64 zeros for the first)
    hash      varchar(64)   not null    -- SHA-256 (hex) of the entry's canonical JSON, prev_hash included
);
create index audit_entry_at on audit_entry (at);
create index audit_entry_actor on audit_entry (actor);
create index audit_entry_job on audit_entry (job);
-- The head of the chain, one row: the last entry's seq and hash. Its row lock is the chain lock, taken as the LAST
-- thing a transaction does before it commits (so its holder never waits for another lock); it also tells a removed
-- newest entry from the end of the trail.
create table audit_head (
    id   int          not null primary key,
    seq  bigint       not null,
    hash varchar(64)  not null
);
insert into audit_head (id, seq, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
