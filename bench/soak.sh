#!/usr/bin/env bash
# Soak of the embedded H2 default (issue 20): an open loop of RATE=500 alerts/s (batches of BATCH=10, every alert a
# new incident and a page, so every second brings new rows and updates) against the engine on its shipped H2 URL for
# SOAK_SECONDS=600 (10 minutes; e.g. SOAK_SECONDS=120 for a short run). Prints the H2 file size and the engine's RSS
# before the load, every SAMPLE=30 seconds during it, after it (once the outbox has delivered), after a clean stop,
# and the live data: the size of a copy of the file after H2's SHUTDOWN COMPACT (which rewrites only what is live).
# The default runs H2's compaction from the engine every 100 ms (RUNBOOK_DB_H2_HOUSEKEEPING=100ms; WRITE_DELAY=0 stops
# H2's own); RUNBOOK_DB_H2_HOUSEKEEPING=off shows the file growing with every write. The point of the run is the ratio
# file / live data at the end.
set -euo pipefail
SOAK_SECONDS=${SOAK_SECONDS:-600}; RATE=${RATE:-500}; BATCH=${BATCH:-10}; CLIENTS=${CLIENTS:-64}; SAMPLE=${SAMPLE:-30}
data=$(mktemp -d); port=$((20000 + RANDOM % 20000)); log=$data/engine.log; db=$data/runbook.mv.db
RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_HOST=127.0.0.1 RUNBOOK_API_TOKEN=bench \
  java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run >"$log" 2>&1 &
pid=$!
cleanup() { kill $pid 2>/dev/null || true; [ -n "${sampler:-}" ] && kill $sampler 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
mb() { awk -v b="$(stat -c %s "$1" 2>/dev/null || echo 0)" 'BEGIN {printf "%.1f MB", b / 1048576}'; }
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status"; }
report() { echo "$1: H2 file $(mb "$db"), engine RSS $(rss $pid)"; }
waiting() { for st in pending sending; do curl -s -H "Authorization: Bearer bench" "localhost:$port/api/outbox?status=$st" | grep -o '"id"' | wc -l; done | awk '{s += $1} END {print s}'; }
echo "soak: $RATE alerts/s for $SOAK_SECONDS s (H2 housekeeping: ${RUNBOOK_DB_H2_HOUSEKEEPING:-100ms, the default})"
report "before"
t0=$(date +%s)
( while sleep "$SAMPLE"; do report "  at $(( $(date +%s) - t0 )) s"; done ) &
sampler=$!
CLIENT_WARM=0 SERVER_PID=$pid java bench/AlertLoad.java engine "http://127.0.0.1:$port/webhooks/alertmanager" bench \
  $(( RATE * SOAK_SECONDS )) "$BATCH" "$CLIENTS" soak "$RATE"
kill $sampler; sampler=
kill -0 $pid 2>/dev/null || { echo "engine died during the soak; its log ends:"; tail -40 "$log"; exit 1; }
while [ "$(waiting)" != 0 ]; do sleep 1; done
report "after (outbox delivered)"
kill -TERM $pid; wait $pid 2>/dev/null || true
echo "after a clean stop: H2 file $(mb "$db")"
cp "$db" "$data/live.mv.db"
java -cp "target/lib/*" org.h2.tools.Shell -url "jdbc:h2:file:$data/live" -user sa -password "" -sql "SHUTDOWN COMPACT" >/dev/null
echo "live data (a copy after SHUTDOWN COMPACT): $(mb "$data/live.mv.db")"
