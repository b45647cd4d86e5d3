-- Who did what (issue 23): every run names the actor it was started on behalf of (token:alice, schedule:<id>,
-- alert:<fingerprint>, engine:<part>); rows written before this migration have none (null, shown as null).
alter table job_run add column started_by varchar(200);
-- The last applied content of each runbook and schedule file (routes/..., schedules/...), kept so that the audit
-- entry of the next reload of that file holds the unified diff against it (audit/FileVersions). One row per file.
create table file_version (
    path       varchar(500)    not null primary key,   -- relative to the base folder: routes/nightly-backup.camel.yaml
    sha256     varchar(64)     not null,               -- of the content, lower-case hex
    content    varchar(1000000) not null,              -- the file's text as last applied
    applied_at timestamp with time zone not null
);
