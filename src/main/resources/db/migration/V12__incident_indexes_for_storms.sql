-- After an alert storm (200,000 open P3 incidents in the ingest benchmark) two reads scanned every open incident:
-- the escalation check, every 15 s ("status = 'open' and priority in (P1, P2)": the old (status, opened_at) index
-- gave only the status, so each open row was read to test its priority), and GET /api/incidents?status=open (every
-- open row read and sorted to return the newest 100).
-- The escalation check now asks per priority for incidents opened before its acknowledge deadline and not yet
-- escalated: this index reads exactly those.
create index incident_escalation on incident (status, priority, escalated_at, opened_at);
-- The list by status, newest first, reads the newest rows of that status and stops at the limit.
create index incident_status_newest on incident (status, id);
-- Read by nothing now (both reads above use the new indexes).
drop index incident_status;
