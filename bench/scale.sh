#!/usr/bin/env bash
# Scale of shared runbooks (issue 19), run by ./bench/run scale. Measurements, not pass/fail:
# SCALE_SIZES (default "10000 100000") schedules over SCALE_RUNBOOKS (10) shared runbooks, each runbook declaring two
# parameters (desk: enum, n: integer) that every schedule passes (so every schedule's params are checked at start),
# crons spread over the day in 5 zones, in files of 100 schedules. Per size, on the default H2 engine database and
# RAM job store:
#  - ready: the engine's own "ready in" figure (Camel Main start to ready, the 100 schedule files and triggers included),
#    and the scheduler's part ("Scheduler: N trigger(s) ... in M ms");
#  - the engine's CPU time up to ready (a fairer figure than wall time when the machine is shared);
#  - resident memory (RSS) 2 s after ready, and heap used after a full GC (JAVA_OPTS, e.g. -Xmx384m, bounds the heap);
#  - reload of one schedule file among them: one entry's cron is edited, 3 times; the figure is the end of the reload
#    (GET /api/reload's "at": the whole set decided on again and the file's triggers replaced) minus the time the file
#    was written, minus the file watcher's 250 ms quiet period (the OS's change notification, a few ms, is counted in);
#  - GET /api/schedules of every schedule: wall time and size.
# RELOADS (3) edits; BENCH_JAR (default target/runbook-engine.jar) runs another build (A/B); BENCH_HISTO=1 prints the top of a class
# histogram after the full GC.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SCALE_SIZES:-10000 100000}; runbooks=${SCALE_RUNBOOKS:-10}
work=${BENCH_WORK:-$(mktemp -d)}; pid=
trap '[ -z "$pid" ] || kill $pid 2>/dev/null || true; [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"' EXIT

# log_ms <log line>: the epoch milliseconds of a log line "2026-11-26T15:02:16,276Z INFO ..."
log_ms() {
  local t=${1%%Z *}
  echo $(( $(date -u -d "${t%,*}" +%s) * 1000 + 10#${t#*,} ))
}

# reload_ms: when the last reload ended (GET /api/reload's "at"), epoch milliseconds; empty before the first one
reload_ms() {
  curl -sf -H "Authorization: Bearer bench" "localhost:$port/api/reload" | python3 -c 'import json, sys, datetime
at = json.load(sys.stdin).get("at")
if isinstance(at, (int, float)): print(round(at * 1000))
elif at: print(round(datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000))'
}

for n in $sizes; do
  base=$work/s$n; data=$work/s$n-data; log=$work/s$n.log
  rm -rf "$base" "$data"   # a fresh engine each time, also when BENCH_WORK is reused
  mkdir -p "$base/routes" "$base/schedules"
  for r in $(seq 0 $((runbooks - 1))); do
    printf -- '- parameters:\n    - name: desk\n      type: enum\n      values: [rates, fx, equities]\n      required: true\n    - name: n\n      type: integer\n- route:\n    id: shared-%d\n    from:\n      uri: direct:shared-%d\n      steps:\n        - setBody:\n            simple: "${header.desk}-${header.n}"\n' \
      $r $r >"$base/routes/shared-$r.camel.yaml"
  done
  awk -v n="$n" -v r="$runbooks" -v dir="$base/schedules" 'BEGIN {
    split("UTC Europe/London America/New_York Asia/Kolkata Asia/Tokyo", zones, " "); split("rates fx equities", desks, " ")
    for (i = 0; i < n; i++) {
      f = sprintf("%s/s-%04d.yaml", dir, int(i / 100))
      printf "- id: s-%d\n  job: shared-%d\n  params: {desk: %s, n: %d}\n  cron: \"0 %d %d ? * MON-FRI\"\n  zone: %s\n",
        i, i % r, desks[i % 3 + 1], i, i % 60, int(i / 60) % 24, zones[i % 5 + 1] >> f
    }
  }'
  echo "--- $n schedules over $runbooks runbooks ($(ls "$base/schedules" | wc -l) files)"
  port=$((20000 + RANDOM % 20000))
  RUNBOOK_HOME=$base RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench \
    java ${JAVA_OPTS:-} -jar "${BENCH_JAR:-target/runbook-engine.jar}" run >"$log" 2>&1 &
  pid=$!
  until grep -q "ready in" "$log"; do sleep 0.2; kill -0 $pid 2>/dev/null || { tail -50 "$log"; exit 1; }; done
  echo "ready: $(grep -o 'ready in [0-9]* ms' "$log"); scheduler's part: $(grep -o 'Scheduler: [0-9]* trigger(s).* in [0-9]* ms' "$log" | sed 's/(ram store.*) //')"
  # CPU the process used up to ready (all its threads: JIT and GC included): on a shared machine the wall time above
  # measures the CPU queue as much as the engine
  echo "engine CPU time up to ready: $(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f s", ($14 + $15) / hz}' /proc/$pid/stat)"
  sleep 2
  echo "resident memory 2 s after ready: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
  jcmd $pid GC.run >/dev/null
  echo "heap used after a full GC: $(jstat -gc $pid | awk 'NR==2 {printf "%d MiB", ($3+$4+$6+$8)/1024}')"
  [ -z "${BENCH_HISTO:-}" ] || jcmd $pid GC.class_histogram | sed -n 1,16p
  name=schedules/s-$(printf %04d $(( n > 800 ? 7 : 0 ))).yaml; file=$base/$name
  for k in $(seq 1 "${RELOADS:-3}"); do
    before=$(reload_ms)
    written=$(date +%s%3N)
    sed -i "0,/cron: \"0 [0-9]* /s//cron: \"0 $((k * 7 % 60)) /" "$file"
    deadline=$((written + 60000))
    until [ "$(reload_ms)" != "$before" ]; do
      sleep 0.05; [ "$(date +%s%3N)" -lt $deadline ] || { echo "no reload within 60 s"; tail -5 "$log"; exit 1; }
    done
    echo "reload of one schedule file ($name among $n schedules), edit $k: $(( $(reload_ms) - written - 250 )) ms"
    grep "Schedules applied" "$log" | tail -1 | sed 's/.*ScheduleManager - /  /' || true
  done
  t0=$(date +%s%N)
  bytes=$(curl -sf -H "Authorization: Bearer bench" "localhost:$port/api/schedules" | wc -c)
  echo "GET /api/schedules ($n schedules, $((bytes / 1024)) KiB): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill $pid; wait $pid 2>/dev/null || true; pid=
done
