-- Delivery priority of each outbox message: 1-4 for the pages of a P1-P4 incident (open, repeat, escalation,
-- resolved notice), 5 for everything else (reports, commission emails, notices that are not incidents). Rows queued
-- before this migration get 5 and are delivered as before.
alter table notification add column priority smallint not null default 5;

-- The dispatcher claims "where status = ? and next_attempt_at <= ? order by status, priority, next_attempt_at
-- limit n": this index gives that order, so a P1 queued behind 10,000 bulk emails is the first row read, and the
-- scan stops at the limit instead of sorting the backlog. It replaces (status, next_attempt_at).
drop index notification_due;
create index notification_due_priority on notification (status, priority, next_attempt_at);
