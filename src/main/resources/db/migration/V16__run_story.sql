-- The story of every run (issue 22): its step timeline and its log lines, saved when the run ends and deleted with
-- its job_run row (on delete cascade: RunHistory's pruning and any other delete of a run take them along).
create table run_step (
    run_id      bigint       not null references job_run (id) on delete cascade,
    seq         int          not null,   -- the step's place in the run, from 1, in the order the steps started
    node        varchar(200) not null,   -- the EIP node's id (to3, or the id the runbook gives it)
    kind        varchar(60)  not null,   -- the EIP's name (to, bean, split, setBody, ...)
    uri         varchar(1000),           -- the endpoint URI of a step that sends, secrets masked
    source      varchar(500),            -- routes/<file>:<line>
    started_at  timestamp with time zone not null,
    duration_ms bigint       not null,   -- from its first start to its last end
    outcome     varchar(20)  not null,   -- ok | failed | rehearsed
    step_count  int          not null,   -- how many times it executed (inside a split or a loop)
    primary key (run_id, seq)
);
create table run_log_line (
    run_id  bigint        not null references job_run (id) on delete cascade,
    n       int           not null,      -- the line's number in the run's log, from 1
    at      timestamp with time zone not null,
    level   varchar(10)   not null,
    logger  varchar(300)  not null,
    message varchar(100000) not null,    -- the message, and the stack trace of a logged exception
    primary key (run_id, n)
);
-- true when the run logged more than the capture keeps (2,000 lines / 1 MiB): the lines after that are not kept
alter table job_run add column log_truncated boolean default false not null;
