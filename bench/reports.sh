#!/usr/bin/env bash
# Weekly commission emails over ROWS payable rows (default 10000) on the shipped route, trading DB on H2 (or on
# PostgreSQL with RUNBOOK_TEST_POSTGRES set): time and messages queued by a first run (must equal the rows) and by a
# second run (must be 0). Uses the test classes' recording outbox until the notify module's outbox is merged.
set -euo pipefail
./mvnw -q -B -o test-compile
java ${JAVA_OPTS:-} -Dlog4j2.level=WARN -cp "target/classes:target/test-classes:target/lib/*" \
  com.runbook.engine.report.CommissionBench "${ROWS:-10000}" 2>&1 | grep -E '^run [0-9]'
