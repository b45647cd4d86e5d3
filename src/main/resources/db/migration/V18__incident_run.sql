-- The run an incident was opened by (a failed backup's run, an emergency stop's run), so the console and the API link
-- an incident to its run's story; null for incidents opened outside a run (alerts, the watchdog).
alter table incident add column run_id bigint;
