#!/usr/bin/env bash
# The Sunday maintenance purge on the real PostgreSQL (127.0.0.1:5432, user rb): ROWS market bars (default
# 1,000,000, 90% older than 30 days) purged with each batch size in BATCHES (default 1000,5000,20000): rows/s and
# the longest single delete (how long one batch holds its row locks).
set -euo pipefail
./mvnw -q -B -o test-compile
java ${JAVA_OPTS:-} -Dlog4j2.level=WARN -cp "target/classes:target/test-classes:target/lib/*" \
  com.runbook.engine.backup.PurgeBench "${ROWS:-1000000}" "${BATCHES:-1000,5000,20000}" 2>&1 | grep -E '^purge batch'
