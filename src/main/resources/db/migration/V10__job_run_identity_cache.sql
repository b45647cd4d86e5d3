-- The same identity cache as V8, for job_run: at 200 scheduled fires a second H2 wrote its whole store every 32 run
-- ids (a sixth of the scheduler's CPU in the jitter benchmark's profile). PostgreSQL keeps the default (see V8).
alter table job_run alter column id set cache ${identity_cache};
