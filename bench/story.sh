#!/usr/bin/env bash
# The run story's cost (issue 22), run by ./bench/run story. Measurements, not pass/fail. The same engine twice, with
# the step timeline on (runbook.story.timeline=true, the default) and off (RUNBOOK_STORY_TIMELINE=false); the run's
# log capture is on in both (it has no switch: its cost is in both figures). For each:
#  (a) CPU per run: RUNS=1000 manual runs (after WARM_RUNS=300) of a runbook of 10 steps and a split of 20 parts of
#      2 steps (51 node executions a run, about a large runbook's), POSTed 4 at a time; the engine's CPU (user+system,
#      /proc) from the first POST until no run is running, divided by the runs. The runs' rows, steps and log lines
#      are written as in production (default H2).
#  (b) CPU per alert: ALERTS=20000 alerts (after WARM_ALERTS=6000) into /webhooks/alertmanager, closed loop, 8
#      clients, batches of 10 (bench/AlertLoad.java, as bench/alerts.sh): the alert path is not a run, but every
#      route built after the start carries the timeline's interceptor, which looks for a run's story on each node.
# The difference between on and off is the timeline's cost; interleave (ROUNDS=2 runs on, off, on, off) on a shared
# machine, where the load average (printed) moves the figures more than the timeline does. BASELINE_JAR (a jar of an
# earlier build, without the run story) adds a third engine per round: the cost of the whole story (timeline and log).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-1000}; warm_runs=${WARM_RUNS:-300}; alerts=${ALERTS:-20000}; warm_alerts=${WARM_ALERTS:-6000}
rounds=${ROUNDS:-1}
work=$(mktemp -d); pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# the shipped runbooks plus the bench's one
mkdir -p "$work/base"
cp -r routes schedules "$work/base/"
cat >"$work/base/routes/story-bench.camel.yaml" <<'YAML'
- route:
    id: story-bench
    from:
      uri: direct:story-bench
      steps:
        - setHeader: {name: a, constant: "1"}
        - setHeader: {name: b, simple: "${header.a}-2"}
        - setProperty: {name: c, constant: "3"}
        - setBody: {simple: "x,${header.b},${exchangeProperty.c},4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"}
        - split:
            tokenize: ","
            steps:
              - setHeader: {name: part, simple: "${body}"}
              - transform: {simple: "part ${body}"}
        - setBody: {constant: "done"}
        - removeHeader: {name: a}
        - removeHeader: {name: b}
        - choice:
            when:
              - simple: "${header.never} == 'yes'"
                steps:
                  - setBody: {constant: "never"}
            otherwise:
              steps:
                - setBody: {constant: "ok"}
YAML

start() {   # start <timeline true|false> [jar]
  port=$((20000 + RANDOM % 20000)); rm -rf "$work/data"
  # an earlier build refuses the setting's variable (strict settings): it gets none
  local timeline=(RUNBOOK_STORY_TIMELINE="$1"); [ "$1" != baseline ] || timeline=()
  env "${timeline[@]}" RUNBOOK_HOME="$work/base" RUNBOOK_DATA_DIR="$work/data" RUNBOOK_PORT=$port RUNBOOK_HOST=127.0.0.1 \
    RUNBOOK_API_TOKEN=bench java ${JAVA_OPTS:-} -jar "${2:-target/runbook-engine.jar}" run >"$work/engine.log" 2>&1 &
  pid=$!
  until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.2; kill -0 $pid 2>/dev/null || { tail -40 "$work/engine.log"; exit 1; }; done
}
post_runs() {   # post_runs <n>: n runs, 4 at a time, then waits until none is running
  seq "$1" | xargs -P 4 -I@ curl -sf -o /dev/null -X POST -H 'Authorization: Bearer bench' \
    -H 'Content-Type: application/json' -d '{}' "localhost:$port/api/jobs/story-bench/run"
  while curl -s -H "Authorization: Bearer bench" "localhost:$port/api/runs?job=story-bench&limit=1000" | grep -q '"status":"running"'; do sleep 0.2; done
}
measure() {   # measure <timeline true|false|baseline> [jar]
  start "$1" "${2:-}"
  post_runs "$warm_runs"
  c0=$(cpu $pid); t0=$(date +%s.%N)
  post_runs "$runs"
  c1=$(cpu $pid); t1=$(date +%s.%N)
  steps=$(curl -s -H "Authorization: Bearer bench" "localhost:$port/api/runs?job=story-bench&limit=1" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  nsteps=$(curl -s -H "Authorization: Bearer bench" "localhost:$port/api/runs/$steps" | { grep -o '"seq"' || true; } | wc -l)
  awk -v on="$1" -v n="$runs" -v c="$(echo "$c1 - $c0" | bc)" -v w="$(echo "$t1 - $t0" | bc)" -v s="$nsteps" \
    'BEGIN {printf "timeline %-5s (a) %d runs in %.1f s: %.2f CPU s, %.2f ms CPU per run (%d steps in a run'"'"'s timeline)\n", on, n, w, c, c * 1000 / n, s}'
  java bench/AlertLoad.java engine "http://127.0.0.1:$port/webhooks/alertmanager" bench "$warm_alerts" 10 8 warm >/dev/null
  SERVER_PID=$pid CLIENT_WARM=0 java bench/AlertLoad.java engine "http://127.0.0.1:$port/webhooks/alertmanager" bench \
    "$alerts" 10 8 run | sed "s/^/timeline $1 (b) /"
  kill $pid; wait $pid 2>/dev/null || true; pid=
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  measure true
  measure false
  [ -z "${BASELINE_JAR:-}" ] || measure baseline "$BASELINE_JAR"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
