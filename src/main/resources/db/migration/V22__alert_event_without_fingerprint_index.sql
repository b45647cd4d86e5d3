-- Issue 25: alert_event is written once per alert and read by nothing in the engine (no query filters or sorts it by
-- fingerprint; the API lists incidents, not alert events). Its (fingerprint, received_at) index had a random key: every
-- alert of a commit dirtied another leaf page of it, which H2 then serialised and wrote whole at the commit (and its
-- compaction rewrote again), and which PostgreSQL kept in its WAL and buffers. Dropped: the table stays an append-only
-- log, ordered by id. A question by fingerprint (rare, by hand) scans the table.
drop index alert_event_fingerprint;
