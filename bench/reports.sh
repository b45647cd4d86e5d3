#!/usr/bin/env bash
# Weekly commission emails over ROWS payable rows (default 10000) on the shipped route and the real outbox delivering
# to GreenMail (SMTP on loopback), trading DB on H2 (or on PostgreSQL with RUNBOOK_TEST_POSTGRES set): the job's time
# and emails queued by a first run (must equal the rows), the time until all are delivered, and a second run (0 queued).
set -euo pipefail
cd "$(dirname "$0")/.."
cp=$(mktemp); trap 'rm -f "$cp"' EXIT
./mvnw -q -B -o test-compile
./mvnw -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >/dev/null
java ${JAVA_OPTS:-} -Dlog4j2.level=WARN -cp "target/classes:target/test-classes:$(cat "$cp")" \
  com.runbook.engine.report.CommissionBench "${ROWS:-10000}" 2>&1 | grep -E '^(run [0-9]|delivered)'
