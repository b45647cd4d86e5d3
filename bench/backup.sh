#!/usr/bin/env bash
# Streams a generated dump (BENCH_BACKUP_MIB, default 2048 MiB of random bytes) through the engine's backup path
# (nightly-backup: command source `cat file` -> SHA-256 -> multipart upload -> verification -> final key) to s3proxy
# 2.6.0 on loopback (its jar-with-dependencies in its own JVM, no heap cap; fetched into the local Maven repository
# when missing), with the engine's heap capped (BENCH_BACKUP_XMX, default 256m). Prints, beside each other:
# - the physical reference, `cat file > /dev/null` of the same file, cold (caches dropped first) and hot (page cache);
# - the S3 server alone, driven by curl (SigV4, unsigned payload, no checksums): a single PUT, a GET, and the same
#   multipart upload the engine makes (16 MiB parts, 2 at a time);
# - the engine's backup three times: a first run (the JIT still compiling the upload path), then cold (caches dropped
#   before, so `cat` in the engine reads the disk as the cold reference does) and hot (the dump in the page cache),
#   with throughput, CPU and the engine's peak RSS (VmHWM).
# BENCH_BACKUP_S3_PROVIDER: the s3proxy backend (default transient-nio2, in memory; filesystem-nio2 writes files under
# BENCH_BACKUP_S3_DIR, default the work folder on disk). BENCH_BACKUP_JAVA_OPTS and BENCH_BACKUP_S3_JAVA_OPTS add JVM
# options to the engine and to s3proxy (e.g. a JFR recording); BENCH_BACKUP_PERF=file records both JVMs with `perf`
# during the backups (add -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit to both for Java symbols);
# BENCH_BACKUP_KEEP=1 keeps the work folder. BENCH_BACKUP_JARS: the engine jars to run, in turn on the same dump and
# server (default target/runbook-engine.jar; each with its lib/ folder beside it), e.g. "before.jar after.jar before.jar
# after.jar" for an interleaved A/B: each jar's round measures the server alone first (the same multipart upload from
# curl), then starts that engine and runs its three backups, each right after the same upload from curl, and says what
# share of that server rate (the one just before it) each reached.
# BENCH_BACKUP_THREADS: parts sent at a time, by curl and by the engine (BACKUP_S3_UPLOAD_THREADS), default 2.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${BENCH_BACKUP_MIB:-2048}; xmx=${BENCH_BACKUP_XMX:-256m}; provider=${BENCH_BACKUP_S3_PROVIDER:-transient-nio2}
jar=$HOME/.m2/repository/org/gaul/s3proxy/2.6.0/s3proxy-2.6.0-jar-with-dependencies.jar
[ -f "$jar" ] || ./mvnw -q -B dependency:get -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -Dtransitive=false
work=$(mktemp -d); pid=; s3pid=
s3dir=$(mktemp -d -p "${BENCH_BACKUP_S3_DIR:-$work}")
threads=${BENCH_BACKUP_THREADS:-2}; jars=${BENCH_BACKUP_JARS:-target/runbook-engine.jar}
trap 'kill $s3pid $pid 2>/dev/null || true; wait; rm -rf "$s3dir"; [ -n "${BENCH_BACKUP_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
ms() { echo $(( ($2 - $1) / 1000000 )); }
rate() { echo $(( mib * 1000000000 / ($2 - $1) )); }
head -c $((mib * 1048576)) /dev/urandom > "$work/dump.bin"
sync "$work/dump.bin"

# Cold = after dropping the caches (needs the right to write /proc/sys/vm/drop_caches), else after evicting this
# file's pages with posix_fadvise(DONTNEED), checked with fincore.
cold() {
  if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then how="drop_caches"
  else
    python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$work/dump.bin"
    how="posix_fadvise DONTNEED (drop_caches not permitted), cached before the read: $(fincore -n -o RES "$work/dump.bin" | tr -d ' ')"
  fi
}
cold
t0=$(date +%s%N); cat "$work/dump.bin" > /dev/null; t1=$(date +%s%N)
cat_cold=$(rate $t0 $t1)
t0=$(date +%s%N); cat "$work/dump.bin" > /dev/null; t1=$(date +%s%N)
cat_hot=$(rate $t0 $t1)

s3port=$((20000 + RANDOM % 20000)); port=$((s3port + 1)); s3="http://127.0.0.1:$s3port"
mkdir -p "$s3dir/store"
cat > "$work/s3proxy.conf" <<EOF
s3proxy.endpoint=$s3
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=$provider
jclouds.identity=unused
jclouds.credential=unused
jclouds.filesystem.basedir=$s3dir/store
EOF
java ${BENCH_BACKUP_S3_JAVA_OPTS:-} -Djava.io.tmpdir="$s3dir" -jar "$jar" --properties "$work/s3proxy.conf" >"$work/s3.log" 2>&1 &
s3pid=$!
sign=(--aws-sigv4 aws:amz:us-east-1:s3 --user bench:bench-secret -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
until curl -s "$s3/" >/dev/null; do sleep 0.5; kill -0 $s3pid || { cat "$work/s3.log"; exit 1; }; done
curl -sSf "${sign[@]}" -X PUT "$s3/bench" >/dev/null

# The S3 server alone: one PUT of the whole file and a GET of it ...
t0=$(date +%s%N); curl -sSf "${sign[@]}" -T "$work/dump.bin" "$s3/bench/raw.bin" >/dev/null; t1=$(date +%s%N)
put=$(rate $t0 $t1)
t0=$(date +%s%N); curl -sSf "${sign[@]}" "$s3/bench/raw.bin" -o /dev/null; t1=$(date +%s%N)
get=$(rate $t0 $t1)
curl -sSf "${sign[@]}" -X DELETE "$s3/bench/raw.bin" >/dev/null

# ... and the same file as a multipart upload of 16 MiB parts, $threads at a time as the engine sends them, then the
# completion; sets $peer (MiB/s in all) and $peer_line.
part() {
  dd if="$work/dump.bin" bs=16M skip=$(($1 - 1)) count=1 iflag=fullblock status=none |
    curl -sSf "${sign[@]}" -T - -H "Content-Length: $(( $1 < parts ? 16777216 : mib * 1048576 - (parts - 1) * 16777216 ))" \
      -D - -o /dev/null "$u?partNumber=$1&uploadId=$id" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p' > "$work/etag.$1"
}
multipart() {
  local s3cpu0 t0 t1 t2 xml i load0
  u="$s3/bench/multi.bin"; parts=$(( (mib + 15) / 16 ))
  load0=$(cut -d" " -f1-3 /proc/loadavg)
  s3cpu0=$(awk '{print $14 + $15}' /proc/$s3pid/stat); t0=$(date +%s%N)
  id=$(curl -sSf "${sign[@]}" -X POST "$u?uploads=" | sed 's/.*<UploadId>\(.*\)<\/UploadId>.*/\1/')
  export -f part; export work parts mib u id s3
  seq 1 $parts | xargs -P $threads -I{} bash -c 'sign=(--aws-sigv4 aws:amz:us-east-1:s3 --user bench:bench-secret -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"); part {}'
  t1=$(date +%s%N)
  xml="<CompleteMultipartUpload>"
  for ((i = 1; i <= parts; i++)); do xml+="<Part><PartNumber>$i</PartNumber><ETag>$(cat "$work/etag.$i")</ETag></Part>"; done
  curl -sSf "${sign[@]}" -X POST -H "Content-Type: application/xml" -d "$xml</CompleteMultipartUpload>" "$u?uploadId=$id" >/dev/null
  t2=$(date +%s%N)
  peer=$(rate $t0 $t2)
  peer_line="parts $(rate $t0 $t1) MiB/s, completion $(ms $t1 $t2) ms, $peer MiB/s in all ($(ms $t0 $t2) ms; load average before: $load0); s3proxy CPU $(( ($(awk '{print $14 + $15}' /proc/$s3pid/stat) - s3cpu0) * 10 )) ms"
  curl -sSf "${sign[@]}" -X DELETE "$u" >/dev/null
}

# One backup run; sets $line to its figures. The object is deleted afterwards (the server keeps one at a time).
backup() {
  local cpu0 s3cpu0 load0 b0 b1 run status key peak_heap=0 heap
  cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat); s3cpu0=$(awk '{print $14 + $15}' /proc/$s3pid/stat)
  load0=$(cut -d" " -f1-3 /proc/loadavg); b0=$(date +%s%N)
  run=$(curl -sf -X POST -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d '{}' \
    "localhost:$port/api/jobs/nightly-backup/run" | sed 's/.*"runId":\([0-9]*\).*/\1/')
  while :; do
    status=$(curl -sf -H "Authorization: Bearer bench" "localhost:$port/api/runs/$run" | sed 's/.*"status":"\([a-z]*\)".*/\1/')
    heap=$(jstat -gc $pid | awk 'NR==2 {print int(($3+$4+$6+$8)/1024)}')
    (( heap > peak_heap )) && peak_heap=$heap
    [ "$status" != running ] && break
    sleep 0.2
  done
  b1=$(date +%s%N)
  if [ "$status" != succeeded ]; then
    echo "run $run: $status"; curl -s -H "Authorization: Bearer bench" "localhost:$port/api/runs/$run"; echo; tail -40 "$work/engine.log"; tail -40 "$work/s3.log"; exit 1
  fi
  key=$(grep -o 'Backup of bench stored as [^ ]*' "$work/engine.log" | tail -1 | awk '{print $NF}')
  echo "  $(grep -o 'Backup of bench stored.*' "$work/engine.log" | tail -1)"
  curl -sSf "${sign[@]}" -X DELETE "$s3/bench/$key" >/dev/null
  line="$(rate $b0 $b1) MiB/s end to end ($(ms $b0 $b1) ms; load average before: $load0) = $(( $(rate $b0 $b1) * 100 / peer ))% of the server alone (curl multipart, $peer MiB/s), $(( $(rate $b0 $b1) * 100 / cat_cold ))% of cold cat;"
  line+=" CPU engine $(( ($(awk '{print $14 + $15}' /proc/$pid/stat) - cpu0) * 10 )) ms, s3proxy $(( ($(awk '{print $14 + $15}' /proc/$s3pid/stat) - s3cpu0) * 10 )) ms; engine peak heap used $peak_heap MiB (sampled)"
}

echo "dump: $mib MiB of random bytes; engine heap cap -Xmx$xmx; s3proxy 2.6.0, jclouds.provider=$provider ($(df --output=fstype "$s3dir" | tail -1) for its files); $threads parts at a time; $(java -version 2>&1 | head -1)"
echo "raw read, cat > /dev/null: cold $cat_cold MiB/s ($how), hot (page cache) $cat_hot MiB/s"
echo "s3proxy alone, curl: single PUT $put MiB/s, GET $get MiB/s"
for jar in $jars; do
  multipart
  echo "== $jar"
  echo "s3proxy alone, curl multipart (16 MiB parts, $threads at a time): $peer_line"
  RUNBOOK_DATA_DIR=$work/data-$RANDOM RUNBOOK_PORT=$port RUNBOOK_API_TOKEN=bench BACKUP_STORE=s3 BACKUP_S3_BUCKET=bench \
  BACKUP_S3_ENDPOINT=$s3 BACKUP_S3_PATH_STYLE=true BACKUP_S3_ACCESS_KEY=bench BACKUP_S3_SECRET_KEY=bench-secret \
  BACKUP_S3_UPLOAD_THREADS=$threads BACKUP_SOURCES=bench java -Xmx$xmx ${BENCH_BACKUP_JAVA_OPTS:-} -Drunbook.backup.source.bench.type=command \
    "-Drunbook.backup.source.bench.command=cat $work/dump.bin" -Drunbook.backup.source.bench.extension=bin \
    -jar "$jar" run >"$work/engine.log" 2>&1 &
  pid=$!
  until curl -sf "localhost:$port/health" >/dev/null; do sleep 0.2; kill -0 $pid || { cat "$work/engine.log"; exit 1; }; done
  rss_idle=$(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 ))
  perfpid=
  if [ -n "${BENCH_BACKUP_PERF:-}" ]; then   # CPU profile of both JVMs during the backups (run them with -XX:+DumpPerfMapAtExit)
    perf record -F 499 -g -p $pid,$s3pid -o "$BENCH_BACKUP_PERF" >/dev/null 2>&1 & perfpid=$!
  fi
  # each backup right after the server alone's own upload (on a shared machine the load moves within a minute)
  cat "$work/dump.bin" > /dev/null; backup; first_line=$line
  multipart; peer_lines="$peer_line"
  cold; backup; cold_line=$line
  multipart; peer_lines+="; then $peer_line"
  cat "$work/dump.bin" > /dev/null; backup; hot_line=$line
  [ -n "$perfpid" ] && { kill -INT $perfpid; wait $perfpid || true; }
  rss_peak=$(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 ))
  kill $pid; wait $pid 2>/dev/null || true; pid=
  echo "s3proxy alone before the second and third backups: $peer_lines"
  echo "backup (dump + SHA-256 + upload + verify), first run of the engine (JIT warm-up), dump hot: $first_line"
  echo "backup, dump cold: $cold_line"
  echo "backup, dump hot: $hot_line"
  echo "engine peak RSS $rss_peak MiB (VmHWM over the three runs; $rss_idle MiB when ready)"
done
echo "s3proxy peak RSS $(( $(awk '/VmHWM/ {print $2}' /proc/$s3pid/status) / 1024 )) MiB"
