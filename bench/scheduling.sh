#!/usr/bin/env bash
# Scheduling benchmarks (issue 3), run by ./bench/run scheduling. Measurements, not pass/fail:
#  (a) 10,000 schedules in schedules/ (100 files of 100, and 10,000 routes in 100 files): engine start to ready, and heap used after a GC;
#  (b) fire jitter for 200 jobs due every second for 60 s, p50/p99/max of two figures: the route called (the time
#      of JobRunner's "Run N of J started" log line, logged just before the exchange is sent, - scheduled_for), the
#      jitter itself; and the run's row (job_run.started_at - scheduled_for: 0 when the row was committed within the
#      scheduler's lead, runbook.scheduler.lead, else how late it was). scheduled_for is the due time. All fires, and again without the first 5 s (JIT warm-up). Default H2 engine database and RAM job store;
#      RUNBOOK_SCHEDULER_THREADS threads, default one per job (a run holds its thread, so 200 jobs due at the same
#      instant need 200 to start together); RUNBOOK_SCHEDULER_STORE=jdbc measures Quartz's JDBC store instead.
#      Note the load average: on a shared machine the jitter measures the CPU queue, not the scheduler.
#      The first 5 s (cold) are also shown second by second, from the first due time after the engine's "ready".
# SCHEDULES (default 10000; 0 skips (a)), JITTER_JOBS (200) and JITTER_SECONDS (60) change the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
schedules=${SCHEDULES:-10000}; jobs=${JITTER_JOBS:-200}; seconds=${JITTER_SECONDS:-60}
h2=$(ls target/lib/h2-*.jar)

# start_engine <base> <data> <log>: starts the engine in the background, waits for /health, sets $pid and $port
start_engine() {
  port=$((20000 + RANDOM % 20000))
  RUNBOOK_HOME=$1 RUNBOOK_DATA_DIR=$2 RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench \
    java ${JAVA_OPTS:-} -jar "${BENCH_JAR:-target/runbook-engine.jar}" run >"$3" 2>&1 &
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

if [ "$schedules" -gt 0 ]; then
  echo "--- (a) $schedules schedules"
  generate "$work/a" "$schedules" "0 0 2 * * ?"
  start_engine "$work/a" "$work/a-data" "$work/a.log"
  echo "engine's own figure: $(grep -o 'ready in [0-9]* ms' "$work/a.log")"
  echo "scheduler's part: $(grep -o 'Scheduler: [0-9]* trigger(s).* in [0-9]* ms' "$work/a.log")"
  jcmd $pid GC.run >/dev/null
  echo "heap used after start and a full GC: $(jstat -gc $pid | awk 'NR==2 {printf "%d MiB", ($3+$4+$6+$8)/1024}')"
  echo "resident memory: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
  kill $pid; wait $pid 2>/dev/null || true
fi

threads=${RUNBOOK_SCHEDULER_THREADS:-$jobs}
echo "--- (b) jitter: $jobs jobs every second for $seconds s (store ${RUNBOOK_SCHEDULER_STORE:-ram}, $threads threads)"
generate "$work/b" "$jobs" "* * * * * ?"
RUNBOOK_SCHEDULER_THREADS=$threads start_engine "$work/b" "$work/b-data" "$work/b.log"
sleep "$seconds"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $pid; wait $pid 2>/dev/null || true
# "2026-11-26T15:02:16,276Z INFO  [...] ... - Run 9 of bench-10 started (schedule)" -> 9,<epoch ms>
echo "ID,CALLED_MS" >"$work/called.csv"
TZ=UTC awk 'match($0, / Run [0-9]+ of bench-[0-9]+ started/) {
    split(substr($0, RSTART + 5), w, " "); t = $1; gsub(/[-T:,Z]/, " ", t); split(t, f, " ")
    printf "%s,%.0f\n", w[1], mktime(f[1] " " f[2] " " f[3] " " f[4] " " f[5] " " f[6]) * 1000 + f[7] }' "$work/b.log" >>"$work/called.csv"
lag="datediff('MILLISECOND', r.scheduled_for, r.started_at)"
called="c.called_ms - datediff('MILLISECOND', timestamp with time zone '1970-01-01 00:00:00+00', r.scheduled_for)"
figures() { # <label> <lag expression> <where>
  echo "select '$1' as what, count(*) as fires, percentile_cont(0.5) within group (order by $2) as p50_ms,
    percentile_cont(0.99) within group (order by $2) as p99_ms, max($2) as max_ms
    from job_run r join csvread('$work/called.csv') c on c.id = r.id
    where r.scheduled_for is not null and r.status <> 'skipped' $3;"
}
warm="and r.scheduled_for >= (select min(scheduled_for) from job_run) + interval '5' second"
java -cp "$h2" org.h2.tools.Shell -url "jdbc:h2:file:$work/b-data/runbook" -user sa -sql "
  $(figures 'route called, all fires' "$called" '')
  $(figures 'route called, after 5 s' "$called" "$warm")
  $(figures 'row started_at, all fires' "$lag" '')
  select count(*) as recorded_after_due from job_run where status <> 'skipped' and started_at > scheduled_for;
  select cold_second, count(*) as fires, percentile_cont(0.5) within group (order by called) as p50_ms,
    percentile_cont(0.99) within group (order by called) as p99_ms, max(called) as max_ms, max(row_lag) as row_late_max_ms
    from (select datediff('SECOND', (select min(scheduled_for) from job_run), r.scheduled_for) as cold_second,
      $called as called, $lag as row_lag from job_run r join csvread('$work/called.csv') c on c.id = r.id
      where r.scheduled_for is not null and r.status <> 'skipped'
      and r.scheduled_for < (select min(scheduled_for) from job_run) + interval '5' second) group by cold_second order by cold_second;"
echo "ready: $(grep -o 'ready in [0-9]* ms' "$work/b.log") at $(grep 'ready in' "$work/b.log" | cut -c1-24); first fire logged: $(grep -m1 ' Run [0-9]* of bench-' "$work/b.log" | cut -c1-24)"
