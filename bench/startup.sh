#!/usr/bin/env bash
# Engine start to "ready" and resident memory after start, on the shipped runbooks with embedded defaults.
set -euo pipefail
data=$(mktemp -d); port=$((20000 + RANDOM % 20000)); log=$data/engine.log
RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run >"$log" 2>&1 &
pid=$!
t0=$(date +%s%N)
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.05; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
t1=$(date +%s%N)
sleep 2
rss=$(ps -o rss= -p $pid)
echo "wall time from launch to /health UP: $(( (t1 - t0) / 1000000 )) ms"
echo "engine's own figure: $(grep -o 'ready in [0-9]* ms' "$log")"
echo "resident memory 2 s after ready: $((rss / 1024)) MiB"
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$data"
