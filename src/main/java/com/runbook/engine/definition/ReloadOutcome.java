package com.runbook.engine.definition;

import java.time.Instant;
import java.util.List;

/** What happened to the last change of a runbook file: {@code applied} or {@code refused} with its problems. */
public record ReloadOutcome(Instant at, String file, String status, List<String> problems) {
}
