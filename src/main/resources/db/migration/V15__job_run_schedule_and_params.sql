-- Shared runbooks (issue 19): several schedules may run one job, so a run records the schedule it belongs to and the
-- parameters it was given (JSON text, secrets masked). One fire per schedule and due time: the unique key moves from
-- (job, scheduled_for) to (schedule_id, scheduled_for); rows written before this migration belong to the schedule
-- named after their job (a schedule's default id).
alter table job_run add column schedule_id varchar(200);
alter table job_run add column params varchar(4000);
update job_run set schedule_id = job where scheduled_for is not null;
drop index job_run_job_scheduled_for;
create unique index job_run_schedule_scheduled_for on job_run (schedule_id, scheduled_for);
