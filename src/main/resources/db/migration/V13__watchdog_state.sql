-- The health watchdog's state per endpoint (issue 19): kept in the engine database, not in one node's memory, so that
-- the consecutive failures, the open incident and the last page follow the watchdog's fire to whichever node runs it.
create table watchdog_state (
    endpoint      varchar(200) primary key,
    last_check    timestamp with time zone,
    failures      int          not null,
    incident_open boolean      not null,
    last_paged    timestamp with time zone
);
