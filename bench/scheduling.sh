#!/usr/bin/env bash
# Scheduling benchmarks (issue 3), run by ./bench/run scheduling. Measurements, not pass/fail:
#  (a) 10,000 schedules in schedules/ (100 files of 100, and 10,000 routes in 100 files): engine start to ready, and heap used after a GC;
#  (b) fire jitter, actual start minus due time (job_run.started_at - scheduled_for), p50/p99/max, for 200 jobs
#      due every second for 60 s (default H2 engine database and RAM job store, RUNBOOK_SCHEDULER_THREADS threads;
#      RUNBOOK_SCHEDULER_STORE=jdbc measures Quartz's JDBC store instead). Note the load average: on a shared machine
#      the jitter measures the CPU queue, not the scheduler.
# SCHEDULES (default 10000), JITTER_JOBS (200) and JITTER_SECONDS (60) change the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
schedules=${SCHEDULES:-10000}; jobs=${JITTER_JOBS:-200}; seconds=${JITTER_SECONDS:-60}
h2=$(ls target/lib/h2-*.jar)

# start_engine <base> <data> <log>: starts the engine in the background, waits for /health, sets $pid and $port
start_engine() {
  port=$((20000 + RANDOM % 20000))
  RUNBOOK_HOME=$1 RUNBOOK_DATA_DIR=$2 RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench \
    java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run >"$3" 2>&1 &
  pid=$!
  until grep -q "ready in" "$3"; do sleep 0.2; kill -0 $pid 2>/dev/null || { tail -50 "$3"; exit 1; }; done
}

# generate <base> <count> <cron>: count jobs bench-N, in files of 100 routes and 100 schedules
generate() {
  mkdir -p "$1/routes" "$1/schedules"
  for i in $(seq 1 "$2"); do
    f=$(( (i - 1) / 100 ))
    printf -- '- route:\n    id: bench-%d\n    from:\n      uri: direct:bench-%d\n      steps:\n        - setBody:\n            constant: "ok"\n' $i $i >>"$1/routes/bench-$f.camel.yaml"
    printf -- '- job: bench-%d\n  cron: "%s"\n' $i "$3" >>"$1/schedules/bench-$f.yaml"
  done
}

work=${BENCH_WORK:-$(mktemp -d)}; trap 'kill $pid 2>/dev/null || true; [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"' EXIT

echo "--- (a) $schedules schedules"
generate "$work/a" "$schedules" "0 0 2 * * ?"
start_engine "$work/a" "$work/a-data" "$work/a.log"
echo "engine's own figure: $(grep -o 'ready in [0-9]* ms' "$work/a.log")"
echo "scheduler's part: $(grep -o 'Scheduler: [0-9]* trigger(s).* in [0-9]* ms' "$work/a.log")"
jcmd $pid GC.run >/dev/null
echo "heap used after start and a full GC: $(jstat -gc $pid | awk 'NR==2 {printf "%d MiB", ($3+$4+$6+$8)/1024}')"
echo "resident memory: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
kill $pid; wait $pid 2>/dev/null || true

echo "--- (b) jitter: $jobs jobs every second for $seconds s (store ${RUNBOOK_SCHEDULER_STORE:-ram})"
generate "$work/b" "$jobs" "* * * * * ?"
start_engine "$work/b" "$work/b-data" "$work/b.log"
sleep "$seconds"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $pid; wait $pid 2>/dev/null || true
java -cp "$h2" org.h2.tools.Shell -url "jdbc:h2:file:$work/b-data/runbook" -user sa -sql "
  select count(*) as fires,
         percentile_cont(0.5) within group (order by datediff('MILLISECOND', scheduled_for, started_at)) as p50_ms,
         percentile_cont(0.99) within group (order by datediff('MILLISECOND', scheduled_for, started_at)) as p99_ms,
         max(datediff('MILLISECOND', scheduled_for, started_at)) as max_ms
  from job_run where scheduled_for is not null and status <> 'skipped'"
