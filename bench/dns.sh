#!/usr/bin/env bash
# DNS failover against a real BIND (named on a loopback port): wall time of a full swap (3 health checks 1 s apart,
# RFC 2136 update with TSIG, verification at the server) and of a rollback (update + verify), over N rounds.
# The runbook asks for a rollback in < 30 s.
set -euo pipefail
rounds=${ROUNDS:-5}
work=$(mktemp -d); dns_port=$((20000 + RANDOM % 20000)); port=$((dns_port + 1))
secret=$(head -c 32 /dev/urandom | base64)
cat > "$work/zone.db" <<ZONE
\$TTL 300
@ IN SOA ns1.example.test. admin.example.test. 1 3600 600 86400 60
@ IN NS ns1.example.test.
ns1 IN A 127.0.0.1
app IN A 192.0.2.10
ZONE
cat > "$work/named.conf" <<CONF
options { directory "$work"; pid-file none; listen-on port $dns_port { 127.0.0.1; }; listen-on-v6 { none; };
          recursion no; dnssec-validation no; notify no; };
controls { };
key "bench-key" { algorithm hmac-sha256; secret "$secret"; };
zone "example.test" { type primary; file "$work/zone.db"; allow-update { key "bench-key"; }; };
CONF
/usr/sbin/named -g -c "$work/named.conf" >"$work/named.log" 2>&1 &
named_pid=$!
RUNBOOK_DATA_DIR=$work/data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench RUNBOOK_HOST=127.0.0.1 \
  RUNBOOK_DNS_RECORD=app.example.test RUNBOOK_DNS_SERVER=127.0.0.1:$dns_port RUNBOOK_DNS_ZONE=example.test \
  RUNBOOK_DNS_TSIG_KEY_NAME=bench-key RUNBOOK_DNS_TSIG_SECRET=$secret RUNBOOK_DNS_TARGETS=primary,backup \
  java ${JAVA_OPTS:-} -Drunbook.dns.target.primary.value=192.0.2.10 -Drunbook.dns.target.backup.value=198.51.100.20 \
  -Drunbook.dns.target.primary.health-url=http://127.0.0.1:$port/health \
  -Drunbook.dns.target.backup.health-url=http://127.0.0.1:$port/health \
  -jar target/runbook-engine.jar run >"$work/engine.log" 2>&1 &
engine_pid=$!
trap 'kill $engine_pid $named_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.1; kill -0 $engine_pid 2>/dev/null || { cat "$work/engine.log"; exit 1; }; done
call() { curl -s -X POST -H "Authorization: Bearer bench" -H 'Content-Type: application/json' -d "$2" "localhost:$port$1"; }
for i in $(seq 1 "$rounds"); do
  t0=$(date +%s%N); out=$(call /api/runbooks/dns-failover '{"target":"backup","force":true}'); t1=$(date +%s%N)
  echo "$out" | grep -q '"outcome":"applied"' || { echo "swap failed: $out"; exit 1; }
  figures=$(echo "$out" | grep -o '"\(precheck\|change\|verify\|total\)Ms":[0-9]*' | tr '\n' ' ')
  t2=$(date +%s%N); back=$(call /api/runbooks/dns-rollback ''); t3=$(date +%s%N)
  echo "$back" | grep -q '"outcome":"applied"' || { echo "rollback failed: $back"; exit 1; }
  rb=$(echo "$back" | grep -o '"\(change\|verify\)Ms":[0-9]*' | tr '\n' ' ')
  echo "round $i: swap $(( (t1 - t0) / 1000000 )) ms wall ($figures) | rollback $(( (t3 - t2) / 1000000 )) ms wall ($rb)"
done
