-- Alert events are processed in the transaction that stores them (processed_at = received_at, never null), so the
-- index on processed_at for "unprocessed" events finds nothing and is read by nothing; it only cost an index entry
-- per alert (and its pages written on every commit) in the alert ingest path (issue 4's benchmark).
drop index alert_event_unprocessed;
