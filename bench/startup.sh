#!/usr/bin/env bash
# Engine start as a person starts it (./runbook run: the runtime and start-up cache the script picks), on the shipped
# runbooks with embedded defaults: wall time from launch to /health UP, the engine's own "ready in", and resident
# memory 2 s after ready; each run on a fresh data folder, then (SECOND=1, the default) a second start on the same,
# now existing, folder. Prints each start (with the CPU time the engine used until /health was UP: on shared cores
# the wall time varies with the other processes' load, the CPU less) and the medians.
#   RUNS=5                  starts of each kind
#   BENCH_DIR=/tmp/before   another checkout's ./runbook (A/B against a before-build); default this one
#   JAVA_OPTS=...           extra JVM options, passed on by ./runbook
#   RUNBOOK_JAVA=/usr/lib/jvm/java-17-openjdk-amd64  another runtime (./runbook's choice otherwise)
# The first ./runbook run after a build prepares the runtime's start-up cache: a warm-up start, not counted, does it.
set -euo pipefail
dir=${BENCH_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
runs=${RUNS:-5}
second=${SECOND:-1}

start() {   # start <data folder> -> "wall_ms ready_ms rss_mib cpu_ms"
  local data=$1 port log=$1.log
  port=$((20000 + RANDOM % 12000))
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 12000)); done   # a free one, below the ephemeral range (32768-) that outgoing connections take
  RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench "$dir/runbook" run >"$log" 2>&1 &
  local pid=$! t0 t1 rss
  t0=$(date +%s%N)
  until curl -sf "localhost:$port/health" >/dev/null; do
    sleep 0.02; kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  done
  t1=$(date +%s%N)
  local cpu; cpu=$(awk '{print int(($14 + $15) * 1000 / '"$(getconf CLK_TCK)"')}' /proc/$pid/stat)
  sleep 2
  rss=$(ps -o rss= -p $pid)   # ./runbook execs java
  echo "$(( (t1 - t0) / 1000000 )) $(grep -o 'ready in [0-9]*' "$log" | grep -o '[0-9]*$' | head -n 1) $((rss / 1024)) $cpu"
  kill $pid; wait $pid 2>/dev/null || true
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

warm=$(mktemp -d); start "$warm/data" >/dev/null; rm -rf "$warm"   # builds the jar and the start-up cache if needed
runtime=$(mktemp -d); RUNBOOK_DATA_DIR=$runtime/data RUNBOOK_PORT=0 "$dir/runbook" run >"$runtime/log" 2>&1 &
pid=$!; until grep -q 'ready in' "$runtime/log" 2>/dev/null || ! kill -0 $pid 2>/dev/null; do sleep 0.1; done
echo "runtime: $(grep -o 'ready in.*' "$runtime/log" | sed 's/.*, //; s/)$//')"; kill $pid; wait $pid 2>/dev/null || true; rm -rf "$runtime"

fresh=(); again=()
for i in $(seq "$runs"); do
  tmp=$(mktemp -d)
  f=$(start "$tmp/data"); fresh+=("$f")
  echo "fresh folder: launch to /health UP $(cut -d' ' -f1 <<<"$f") ms, ready in $(cut -d' ' -f2 <<<"$f") ms, RSS $(cut -d' ' -f3 <<<"$f") MiB, CPU $(cut -d' ' -f4 <<<"$f") ms (load $(cut -d' ' -f1 /proc/loadavg))"
  if [ "$second" = 1 ]; then
    s=$(start "$tmp/data"); again+=("$s")
    echo "  same folder again: launch to /health UP $(cut -d' ' -f1 <<<"$s") ms, ready in $(cut -d' ' -f2 <<<"$s") ms, RSS $(cut -d' ' -f3 <<<"$s") MiB, CPU $(cut -d' ' -f4 <<<"$s") ms (load $(cut -d' ' -f1 /proc/loadavg))"
  fi
  rm -rf "$tmp"
done
for kind in fresh again; do
  declare -n rows=$kind
  [ ${#rows[@]} -gt 0 ] || continue
  echo "median of ${#rows[@]} ($kind folder): launch to /health UP $(printf '%s\n' "${rows[@]}" | cut -d' ' -f1 | median) ms," \
    "ready in $(printf '%s\n' "${rows[@]}" | cut -d' ' -f2 | median) ms, RSS $(printf '%s\n' "${rows[@]}" | cut -d' ' -f3 | median) MiB,"\
    "CPU $(printf '%s\n' "${rows[@]}" | cut -d' ' -f4 | median) ms"
done
