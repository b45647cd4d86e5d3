-- How many ids an identity column hands out before it writes its position back. ${identity_cache} is 1000 on H2 and
-- 1 (the default) on PostgreSQL (set by Database.migrate). H2 writes its whole store for every such write, as costly
-- as a commit: with its default of 32 that was half of the store writes in the alert ingest benchmark (three rows per
-- alert). After a crash up to 1000 ids are skipped, nothing else. PostgreSQL keeps the default: there a cache is per
-- connection, so ids from the pool's connections would no longer follow insertion order.
alter table incident alter column id set cache ${identity_cache};
alter table alert_event alter column id set cache ${identity_cache};
alter table notification alter column id set cache ${identity_cache};
