package com.runbook.engine.routes;

import java.time.Instant;
import java.util.List;

/** What happened to the last change of a runbook file: {@code applied} or {@code refused} with its problems. */
public record ReloadOutcome(Instant at, String file, String status, List<String> problems) {
    static ReloadOutcome applied(String file) {
        return new ReloadOutcome(Instant.now(), file, "applied", List.of());
    }

    static ReloadOutcome refused(String file, List<Problem> problems) {
        return new ReloadOutcome(Instant.now(), file, "refused", problems.stream().sorted().map(Problem::toString).toList());
    }
}
