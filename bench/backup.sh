#!/usr/bin/env bash
# Streams a generated dump (BENCH_BACKUP_MIB, default 1024 MiB of random bytes) through the engine's backup path
# (nightly-backup: command source -> SHA-256 -> multipart upload -> read-back verification -> copy to the final key)
# to S3Mock on loopback, with the engine's heap capped (BENCH_BACKUP_XMX, default 128m). Prints throughput, the
# engine's peak heap use and peak RSS, beside a plain `cat file > /dev/null` of the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${BENCH_BACKUP_MIB:-1024}; xmx=${BENCH_BACKUP_XMX:-128m}
work=$(mktemp -d); pid=; s3pid=; trap 'kill $s3pid $pid 2>/dev/null || true; rm -rf "$work"' EXIT
./mvnw -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
head -c $((mib * 1048576)) /dev/urandom > "$work/dump.bin"
t0=$(date +%s%N); cat "$work/dump.bin" > /dev/null; t1=$(date +%s%N)
s3port=$((20000 + RANDOM % 20000)); port=$((s3port + 1))
java -Xmx512m -Dhttp.port=$s3port -cp "$(cat "$work/cp.txt")" com.adobe.testing.s3mock.S3MockApplication --server.port=0 \
  --com.adobe.testing.s3mock.store.initialBuckets=bench --com.adobe.testing.s3mock.store.root="$work/s3" \
  --spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration,org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration,org.springframework.boot.autoconfigure.freemarker.FreeMarkerAutoConfiguration,org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration \
  >"$work/s3.log" 2>&1 &
s3pid=$!
until curl -s "localhost:$s3port/" >/dev/null; do sleep 0.5; kill -0 $s3pid || { cat "$work/s3.log"; exit 1; }; done
RUNBOOK_DATA_DIR=$work/data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench BACKUP_STORE=s3 BACKUP_S3_BUCKET=bench \
BACKUP_S3_ENDPOINT=http://127.0.0.1:$s3port BACKUP_S3_PATH_STYLE=true BACKUP_S3_ACCESS_KEY=a BACKUP_S3_SECRET_KEY=b \
BACKUP_SOURCES=bench java -Xmx$xmx -Drunbook.backup.source.bench.type=command \
  "-Drunbook.backup.source.bench.command=cat $work/dump.bin" -Drunbook.backup.source.bench.extension=bin \
  -jar target/runbook-engine.jar run >"$work/engine.log" 2>&1 &
pid=$!
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.2; kill -0 $pid || { cat "$work/engine.log"; exit 1; }; done
run=$(curl -sf -X POST -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d '{}' \
  "localhost:$port/api/jobs/nightly-backup/run" | sed 's/.*"runId":\([0-9]*\).*/\1/')
peak_heap=0; peak_rss=0; b0=$(date +%s%N)
while :; do
  status=$(curl -sf "localhost:$port/api/runs/$run" | sed 's/.*"status":"\([a-z]*\)".*/\1/')
  heap=$(jstat -gc $pid | awk 'NR==2 {print int(($3+$4+$6+$8)/1024)}')
  rss=$(( $(ps -o rss= -p $pid) / 1024 ))
  (( heap > peak_heap )) && peak_heap=$heap; (( rss > peak_rss )) && peak_rss=$rss
  [ "$status" != running ] && break
  sleep 0.5
done
b1=$(date +%s%N)
echo "run $run: $status"
[ "$status" = succeeded ] || { curl -s "localhost:$port/api/runs/$run"; echo; exit 1; }
grep -o 'Backup of bench stored.*' "$work/engine.log" | tail -1
echo "dump size: $mib MiB, engine heap cap -Xmx$xmx"
echo "raw read (cat > /dev/null): $(( mib * 1000000000 / (t1 - t0) )) MiB/s"
echo "backup (dump + upload + read-back verify + copy): $(( mib * 1000000000 / (b1 - b0) )) MiB/s end to end, $(( (b1 - b0) / 1000000 )) ms"
echo "engine peak heap used: $peak_heap MiB; peak RSS: $peak_rss MiB"
