#!/usr/bin/env bash
# CLI round trips against a running engine (shipped runbooks, H2): the time of `runbook list` (JVM start + one
# GET, through ./runbook) and of `runbook trigger heartbeat --wait` (POST, then polling until the run ends), median of 5 each.
set -euo pipefail
data=$(mktemp -d); port=$((20000 + RANDOM % 20000)); log=$data/engine.log
RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run >"$log" 2>&1 &
pid=$!
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
export RUNBOOK_URL=http://localhost:$port RUNBOOK_API_TOKEN=bench
median() { sort -n | sed -n 3p; }
time_ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
list=$(for i in 1 2 3 4 5; do time_ms ./runbook list; done | median)
trigger=$(for i in 1 2 3 4 5; do time_ms ./runbook trigger heartbeat --wait; done | median)
curl_ms=$(for i in 1 2 3 4 5; do time_ms curl -sf -H "Authorization: Bearer bench" "localhost:$port/api/jobs"; done | median)
echo "runbook list (JVM start + GET /api/jobs), median of 5: $list ms"
echo "runbook trigger heartbeat --wait, median of 5: $trigger ms"
echo "curl GET /api/jobs for comparison, median of 5: $curl_ms ms"
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$data"
