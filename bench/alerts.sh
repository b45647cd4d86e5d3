#!/usr/bin/env bash
# Alert ingest: Alertmanager-style batches POSTed to the engine's /webhooks/alertmanager on loopback (every alert a
# new incident, committed with its outbox row before the 2xx, so the request latency is the webhook-to-outbox
# latency), then the same load against a real Alertmanager's own ingest API /api/v2/alerts for comparison.
# The defaults are issue 4's target load: an open loop offering RATE=2000 alerts/s in batches of BATCH=10 (a batch
# every 5 ms whatever the answers, latency counted from each request's due time, so a server that falls behind shows
# its queue in the latency instead of slowing the load down, and "the same load" is the same offered rate for both
# servers), at most CLIENTS=64 requests in flight, TOTAL=120000 alerts measured (60 s) after a closed-loop warm-up of
# WARM=20000 (the engine's JIT and connection pool) and 5 s at the rate for the load generator's own JVM
# (CLIENT_WARM). RATE= (empty) gives a closed loop instead: each client sends its next batch when the last is answered
# (a throughput test; then e.g. CLIENTS=8). LATENCY_LOG (a path prefix) writes the load's start time, then each
# measured request's start and latency in ms, one file per server, to see when stalls happen and match them with the
# server's GC log or JFR recording. On PostgreSQL:
# RUNBOOK_DB_URL=jdbc:postgresql://127.0.0.1:5432/rb?currentSchema=<empty schema> RUNBOOK_DB_USER=rb RUNBOOK_DB_PASSWORD=rb.
# HOG=1 runs a CPU hog beside both servers for the whole benchmark (a shell busy loop keeping one core busy: production
# hosts are never idle; issue 25's p99 target is taken with it), started before the engine and stopped at the end.
# ENGINE_CMD starts the engine another way, e.g. ENGINE_CMD="./runbook run" (the launcher's JVM, flags and start-up
# cache, JAVA_OPTS added); PEER=off skips Alertmanager (for A/B runs of the engine alone).
# Besides alerts/s (which depends on what else the machine runs) it prints alerts per CPU-second of each server,
# with and without the JIT compiler's share, and for the engine also until its outbox has delivered every page.
set -euo pipefail
TOTAL=${TOTAL:-120000}; BATCH=${BATCH:-10}; CLIENTS=${CLIENTS:-64}; WARM=${WARM:-20000}; RATE=${RATE-2000}
# the load generator's own warm-up before the measured load (see AlertLoad): 5 s at the rate, or 2,000 alerts in a
# closed loop; none before the warm-up, so the engine gets exactly WARM alerts there
export CLIENT_WARM=$(( RATE > 0 ? RATE * 5 : 2000 )); CLIENT_WARM=$(( CLIENT_WARM < TOTAL ? CLIENT_WARM : TOTAL ))
if [ "${HOG:-0}" = 1 ]; then
  ( trap 'exit 0' TERM; while :; do :; done ) &
  hog=$!
  echo "HOG=1: a busy loop (pid $hog) keeps one core busy during the whole benchmark"
fi
data=$(mktemp -d); port=$((20000 + RANDOM % 20000)); amport=$((port + 1)); log=$data/engine.log
RUNBOOK_DATA_DIR=$data RUNBOOK_PORT=$port RUNBOOK_HOST=127.0.0.1 RUNBOOK_API_TOKEN=bench \
  ${ENGINE_CMD:-java ${JAVA_OPTS:-} -jar target/runbook-engine.jar run} >"$log" 2>&1 &
pid=$!
cleanup() { kill $pid 2>/dev/null || true; [ -n "${am:-}" ] && kill $am 2>/dev/null || true
  [ -n "${hog:-}" ] && kill $hog 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
# AlertLoad warms itself up, then sends the measured load and prints the CPU seconds SERVER_PID used for it
load() { java bench/AlertLoad.java "$@"; }
# CPU seconds (user + system) a process has used: with the machine shared, alerts per CPU-second is the figure
# that does not depend on what else runs (2 dedicated cores give at most twice that per second)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# the engine's outbox: pending or being sent (the API lists at most 500 of each)
waiting() { for st in pending sending; do curl -s -H "Authorization: Bearer bench" "localhost:$port/api/outbox?status=$st" | grep -o '"id"' | wc -l; done | awk '{s += $1} END {print s}'; }
drain() { while [ "$(waiting)" != 0 ]; do sleep 0.5; done; }
# warm-up (JIT, connection pool), then the measured run
[ "$WARM" -gt 0 ] && CLIENT_WARM=0 load engine "http://127.0.0.1:$port/webhooks/alertmanager" bench "$WARM" "$BATCH" "$CLIENTS" warm >/dev/null
drain   # the warm-up's pages delivered first: the measured run starts with an empty outbox
c0=$(cpu $pid); t0=$(date +%s.%N)
SERVER_PID=$pid load engine "http://127.0.0.1:$port/webhooks/alertmanager" bench "$TOTAL" "$BATCH" "$CLIENTS" run $RATE
t1=$(date +%s.%N); drain; t2=$(date +%s.%N); c2=$(cpu $pid)
# the dispatcher delivers the pages (to the local outbox folder: no channel is configured) during and after the run
# (counting the client's own warm-up alerts, sent in the same process right before the measured ones)
awk -v n="$((TOTAL + CLIENT_WARM))" -v c0="$c0" -v c2="$c2" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {c = c2 - c0; printf "engine: every page \
delivered %.1f s after the run (%.0f pages/s from the client start, one page per alert); %.2f CPU seconds until then: %.0f \
alerts per CPU-second\n", t2 - t1, n / (t2 - t0), c, n / c}'
kill -0 $pid 2>/dev/null || { echo "engine died during the run; its log ends:"; tail -40 "$log"; exit 1; }
echo "engine rows: $(curl -s -H "Authorization: Bearer bench" "localhost:$port/api/incidents?open=true" | grep -o '"id"' | wc -l) open incidents listed (API lists at most 500)"

if [ "${PEER:-on}" = on ] && [ -x /usr/bin/prometheus-alertmanager ]; then
  mkdir -p "$data/am"
  printf 'route:\n  receiver: none\n  group_by: [alertname]\n  group_wait: 1s\nreceivers:\n  - name: none\n' >"$data/am/am.yml"
  /usr/bin/prometheus-alertmanager --config.file="$data/am/am.yml" --storage.path="$data/am" \
    --web.listen-address=127.0.0.1:$amport --cluster.listen-address= >"$data/am/log" 2>&1 &
  am=$!
  until curl -sf "localhost:$amport/-/ready" >/dev/null; do sleep 0.1; done
  CLIENT_WARM=0 load alertmanager "http://127.0.0.1:$amport/api/v2/alerts" - "$WARM" "$BATCH" "$CLIENTS" warm >/dev/null
  SERVER_PID=$am load alertmanager "http://127.0.0.1:$amport/api/v2/alerts" - "$TOTAL" "$BATCH" "$CLIENTS" run $RATE
elif [ "${PEER:-on}" = on ]; then
  echo "alertmanager: /usr/bin/prometheus-alertmanager not installed, comparison skipped"
fi
