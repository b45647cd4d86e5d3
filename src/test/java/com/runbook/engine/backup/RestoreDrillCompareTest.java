package com.runbook.engine.backup;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a restore drill judges the restored row counts against the live database. */
class RestoreDrillCompareTest {
    @Test
    void equalCountsPass() {
        RestoreDrill.Outcome o = RestoreDrill.compare("db", "k", Map.of("a", 3L, "b", 0L), Map.of("a", 3L, "b", 0L));
        assertThat(o.ok()).isTrue();
        assertThat(o.detail()).startsWith("2 tables restored, row counts equal to live\n");
    }

    @Test
    void countsThatMovedOnAreMarkedButPass() {
        RestoreDrill.Outcome o = RestoreDrill.compare("db", "k", Map.of("a", 3L, "b", 5L), Map.of("a", 4L, "b", 5L));
        assertThat(o.ok()).isTrue();
        assertThat(o.detail()).startsWith("2 tables restored, 1 differ from live (*: changed since the backup)\n")
                .containsPattern("(?m)^a +3 +4 \\*$").containsPattern("(?m)^b +5 +5$");
    }

    @Test
    void aTableMissingFromTheRestoreFails() {
        RestoreDrill.Outcome o = RestoreDrill.compare("db", "k", Map.of("a", 3L), Map.of("a", 3L, "b", 1L));
        assertThat(o.ok()).isFalse();
        assertThat(o.detail()).startsWith("table b missing from the restore\n").containsPattern("(?m)^b +missing +1 \\*$");
    }

    @Test
    void aRestoreWithoutTablesFails() {
        RestoreDrill.Outcome o = RestoreDrill.compare("db", "k", Map.of(), Map.of());
        assertThat(o.ok()).isFalse();
        assertThat(o.detail()).startsWith("the restore holds no tables");
    }
}
