#!/usr/bin/env bash
# Streams a generated dump (BENCH_BACKUP_MIB, default 2048 MiB of random bytes) through the engine's backup path
# (nightly-backup: command source -> SHA-256 -> multipart upload -> verification -> final key) to S3Mock on
# loopback, with the engine's heap capped (BENCH_BACKUP_XMX, default 256m). Prints the throughput and the engine
# JVM's peak RSS (VmHWM) beside `cat file > /dev/null` of the same file, page-cache hot and (when the cache can be
# dropped for the file) cold, and the S3 server alone: a raw single PUT and GET of the same file with curl.
# BENCH_BACKUP_S3_DIR puts S3Mock's store and temporary files there (e.g. /dev/shm, to take the disk out of the
# server's path; default: the work folder, on disk). BENCH_BACKUP_JAVA_OPTS and BENCH_BACKUP_S3_JAVA_OPTS add JVM
# options to the engine and to S3Mock (e.g. a JFR recording); BENCH_BACKUP_KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${BENCH_BACKUP_MIB:-2048}; xmx=${BENCH_BACKUP_XMX:-256m}
work=$(mktemp -d); pid=; s3pid=
s3dir=$(mktemp -d -p "${BENCH_BACKUP_S3_DIR:-$work}"); mkdir "$s3dir/tmp"
trap 'kill $s3pid $pid 2>/dev/null || true; wait; rm -rf "$s3dir"; [ -n "${BENCH_BACKUP_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
ms() { echo $(( ($2 - $1) / 1000000 )); }
rate() { echo $(( mib * 1000000000 / ($2 - $1) )); }
./mvnw -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
head -c $((mib * 1048576)) /dev/urandom > "$work/dump.bin"
sync "$work/dump.bin"

# The physical reference: cat of the same file. Hot = second read from the page cache. Cold = after dropping the
# caches (needs the right to write /proc/sys/vm/drop_caches), else after evicting this file's pages with
# posix_fadvise(DONTNEED), checked with fincore.
cat "$work/dump.bin" > /dev/null
t0=$(date +%s%N); cat "$work/dump.bin" > /dev/null; t1=$(date +%s%N)
hot=$(rate $t0 $t1)
if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then how="drop_caches"
else
  python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$work/dump.bin"
  how="posix_fadvise DONTNEED (drop_caches not permitted), cached before the read: $(fincore -n -o RES "$work/dump.bin" | tr -d ' ')"
fi
t0=$(date +%s%N); cat "$work/dump.bin" > /dev/null; t1=$(date +%s%N)
cold=$(rate $t0 $t1)

s3port=$((20000 + RANDOM % 20000)); port=$((s3port + 1))
java -Xmx512m ${BENCH_BACKUP_S3_JAVA_OPTS:-} -Djava.io.tmpdir="$s3dir/tmp" -Dhttp.port=$s3port -cp "$(cat "$work/cp.txt")" com.adobe.testing.s3mock.S3MockApplication --server.port=0 \
  --com.adobe.testing.s3mock.store.initialBuckets=bench --com.adobe.testing.s3mock.store.root="$s3dir/store" \
  --spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration,org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration,org.springframework.boot.autoconfigure.freemarker.FreeMarkerAutoConfiguration,org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration \
  >"$work/s3.log" 2>&1 &
s3pid=$!
until curl -s "localhost:$s3port/" >/dev/null; do sleep 0.5; kill -0 $s3pid || { cat "$work/s3.log"; exit 1; }; done

# The S3 server alone: one plain PUT of the whole file (no signing, no checksums on the client) and a GET of it.
t0=$(date +%s%N); curl -sf -T "$work/dump.bin" "http://127.0.0.1:$s3port/bench/raw.bin" >/dev/null; t1=$(date +%s%N)
put=$(rate $t0 $t1)
t0=$(date +%s%N); curl -sf "http://127.0.0.1:$s3port/bench/raw.bin" -o /dev/null; t1=$(date +%s%N)
get=$(rate $t0 $t1)
curl -sf -X DELETE "http://127.0.0.1:$s3port/bench/raw.bin" >/dev/null
# ... and the same file as a multipart upload of 16 MiB parts, one curl PUT per part, then the completion.
u="http://127.0.0.1:$s3port/bench/multi.bin"
t0=$(date +%s%N)
id=$(curl -sf -X POST "$u?uploads" | sed 's/.*<UploadId>\(.*\)<\/UploadId>.*/\1/')
parts=$(( (mib + 15) / 16 )); xml="<CompleteMultipartUpload>"
for ((i = 1; i <= parts; i++)); do
  etag=$(dd if="$work/dump.bin" bs=16M skip=$((i - 1)) count=1 iflag=fullblock status=none |
    curl -sf -T - -H "Content-Length: $(( i < parts ? 16777216 : mib * 1048576 - (parts - 1) * 16777216 ))" \
      -D - -o /dev/null "$u?partNumber=$i&uploadId=$id" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
  xml+="<Part><PartNumber>$i</PartNumber><ETag>$etag</ETag></Part>"
done
t1=$(date +%s%N)
curl -sSf -X POST -H "Content-Type: application/xml" -d "$xml</CompleteMultipartUpload>" "$u?uploadId=$id" >/dev/null; t2=$(date +%s%N)
mput=$(rate $t0 $t1); mall=$(rate $t0 $t2); mcomplete=$(ms $t1 $t2)
curl -sf -X DELETE "$u" >/dev/null
sync   # the engine's run starts with nothing of the above still being written back

RUNBOOK_DATA_DIR=$work/data RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench BACKUP_STORE=s3 BACKUP_S3_BUCKET=bench \
BACKUP_S3_ENDPOINT=http://127.0.0.1:$s3port BACKUP_S3_PATH_STYLE=true BACKUP_S3_ACCESS_KEY=a BACKUP_S3_SECRET_KEY=b \
BACKUP_SOURCES=bench java -Xmx$xmx ${BENCH_BACKUP_JAVA_OPTS:-} -Drunbook.backup.source.bench.type=command \
  "-Drunbook.backup.source.bench.command=cat $work/dump.bin" -Drunbook.backup.source.bench.extension=bin \
  -jar target/runbook-engine.jar run >"$work/engine.log" 2>&1 &
pid=$!
until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.2; kill -0 $pid || { cat "$work/engine.log"; exit 1; }; done
rss_idle=$(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 ))
cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat); s3cpu0=$(awk '{print $14 + $15}' /proc/$s3pid/stat)
load0=$(cut -d" " -f1-3 /proc/loadavg); b0=$(date +%s%N)
run=$(curl -sf -X POST -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d '{}' \
  "localhost:$port/api/jobs/nightly-backup/run" | sed 's/.*"runId":\([0-9]*\).*/\1/')
peak_heap=0
while :; do
  status=$(curl -sf "localhost:$port/api/runs/$run" | sed 's/.*"status":"\([a-z]*\)".*/\1/')
  heap=$(jstat -gc $pid | awk 'NR==2 {print int(($3+$4+$6+$8)/1024)}')
  (( heap > peak_heap )) && peak_heap=$heap
  [ "$status" != running ] && break
  sleep 0.2
done
b1=$(date +%s%N)
cpu=$(( $(awk '{print $14 + $15}' /proc/$pid/stat) - cpu0 )); s3cpu=$(( $(awk '{print $14 + $15}' /proc/$s3pid/stat) - s3cpu0 ))
rss_peak=$(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 ))
s3rss_peak=$(( $(awk '/VmHWM/ {print $2}' /proc/$s3pid/status) / 1024 ))
echo "run $run: $status"
if [ "$status" != succeeded ]; then
  curl -s "localhost:$port/api/runs/$run"; echo; tail -40 "$work/s3.log"; exit 1
fi
grep -o 'Backup of bench stored.*' "$work/engine.log" | tail -1
echo "dump: $mib MiB of random bytes; engine heap cap -Xmx$xmx; load average before the backup: $load0"
echo "raw read, cat > /dev/null: hot (page cache) $hot MiB/s; cold $cold MiB/s ($how)"
echo "S3Mock alone (files in $(df --output=fstype "$s3dir" | tail -1)), curl: single PUT $put MiB/s, GET $get MiB/s;" \
  "multipart (16 MiB parts, one at a time): parts $mput MiB/s, completion $mcomplete ms, $mall MiB/s in all"
echo "backup (dump + SHA-256 + upload + verify): $(rate $b0 $b1) MiB/s end to end, $(ms $b0 $b1) ms" \
  "= $(( $(rate $b0 $b1) * 100 / hot ))% of hot cat, $(( $(rate $b0 $b1) * 100 / cold ))% of cold cat"
echo "CPU during the backup: engine $(( cpu * 10 )) ms, S3Mock $(( s3cpu * 10 )) ms (clock ticks of 10 ms)"
echo "engine: peak heap used $peak_heap MiB (sampled), peak RSS $rss_peak MiB (VmHWM; $rss_idle MiB when ready); S3Mock peak RSS $s3rss_peak MiB"
