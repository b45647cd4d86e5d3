package com.runbook.engine.definition;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {
    @Test
    void formatWritesTheShortestFormParseReadsBack() {
        assertThat(Durations.format(Duration.ofMinutes(30))).isEqualTo("30m");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
        for (String text : new String[] {"250ms", "15s", "5m", "2h", "1d"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }
}
