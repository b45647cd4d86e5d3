#!/usr/bin/env bash
# CLI round trips against a running engine (shipped runbooks, H2): the time of `runbook list` (JVM start + one
# GET, through ./runbook) and of `runbook trigger heartbeat --wait` (POST, then polling until the run ends), median of 5
# each; then `runbook validate` on the shipped routes/ and schedules/ (no engine needed), median of 5.
# Each line gives the median wall time, the median CPU time (user + sys) and the load average, since the machine is
# shared. The first client command and the first validate after a build also write their class-data archives
# (./runbook); one warm-up run of each comes before the timed ones, so the figures are those of the archives in use.
# RUNS (5) changes the count; CLI_JAVA (java) is the JVM for the timed commands when ./runbook is bypassed with
# DIRECT=1 (e.g. DIRECT=1 CLI_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java CLI_FLAGS="-XX:AOTCache=target/cli-25.aot").
set -euo pipefail
runs=${RUNS:-5}
data=$(mktemp -d); port=$((20000 + RANDOM % 20000)); log=$data/engine.log
RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run >"$log" 2>&1 &
pid=$!
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
export RUNBOOK_URL=http://localhost:$port RUNBOOK_API_TOKEN=bench
if [ -n "${DIRECT:-}" ]; then
  cli() { ${CLI_JAVA:-java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${CLI_FLAGS:-} -cp target/runbook-engine-cli.jar com.runbook.engine.cli.RunbookCli "$@"; }
  validate() { ${CLI_JAVA:-java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${VALIDATE_FLAGS:-} -cp "target/runbook-engine.jar:lib/*" com.runbook.engine.cli.RunbookCli validate; }
else
  cli() { ./runbook "$@"; }
  validate() { ./runbook validate; }
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# one timed command: "wall_ms cpu_ms" (CPU of the command and its children, from /proc/self/stat-like accounting)
time_ms() {
  local out; out=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
  echo "$out" | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'
}
measure() {   # label command...: median wall and CPU of $runs runs, after one warm-up
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true
  local results; results=$(for i in $(seq "$runs"); do time_ms "$@"; done)
  printf '%s, median of %d: %d ms wall, %d ms CPU (load %s)\n' "$label" "$runs" \
    "$(echo "$results" | cut -d' ' -f1 | median)" "$(echo "$results" | cut -d' ' -f2 | median)" "$(cut -d' ' -f1 /proc/loadavg)"
}
measure "runbook list (JVM start + GET /api/jobs)" cli list
measure "runbook trigger heartbeat --wait" cli trigger heartbeat --wait
measure "curl GET /api/jobs for comparison" curl -sf -H "Authorization: Bearer bench" "localhost:$port/api/jobs"
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$data"
measure "runbook validate (shipped routes/ and schedules/, no engine)" validate
