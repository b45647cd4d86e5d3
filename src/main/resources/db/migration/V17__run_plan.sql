-- The plan of a dry run (issue 22): the effects the run would have had, in the order it reached them (seq from 1).
-- Rows go with their run: deleted when RunHistory prunes the job_run row.
create table run_plan (
    run_id bigint        not null references job_run (id) on delete cascade,
    seq    int           not null,
    kind   varchar(40)   not null,   -- what it touches: email, telegram, pubsub, sql, s3, http, file, dns, incident...
    effect varchar(4000) not null,   -- what it would have done, e.g. "email to ops@example.com: subject ..."
    primary key (run_id, seq)
);
