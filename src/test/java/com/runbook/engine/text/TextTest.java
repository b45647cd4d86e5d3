package com.runbook.engine.text;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Text from outside made storable: NUL escaped, over-long values cut and marked, maps kept within their column. */
class TextTest {
    @Test
    void aValueAtItsLimitIsKeptAndOneBeyondIsCutToTheLimitWithTheMark() {
        assertThat(Text.clean("x".repeat(900), 900)).isEqualTo("x".repeat(900));
        assertThat(Text.clean("x".repeat(901), 900)).hasSize(900).isEqualTo("x".repeat(900 - Text.MARK.length()) + Text.MARK);
        assertThat(Text.clean(null, 10)).isNull();
        assertThat(Text.clean("", 10)).isEmpty();
    }

    @Test
    void nulIsEscapedBeforeTheLengthIsCounted() {
        assertThat(Text.clean("a\0b", 100)).isEqualTo("a\\u0000b");
        assertThat(Text.clean("\0".repeat(100), 100)).hasSize(100).endsWith(Text.MARK).doesNotContain("\0");
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String emoji = "\uD83D\uDE00";   // one character, two UTF-16 units
        String cut = Text.clean("a".repeat(900 - Text.MARK.length() - 1) + emoji + "tail".repeat(10), 900);
        assertThat(cut).endsWith("a" + Text.MARK).hasSize(899);
    }

    @Test
    void labelsStayWithinTheirColumnAndTheDroppedOnesAreCounted() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", "A");
        for (int i = 0; i < 300; i++) {
            labels.put("label" + i, "v".repeat(100));
        }
        Map<String, String> kept = Text.clean(labels);
        assertThat(kept).containsEntry("alertname", "A").containsKey(Text.DROPPED);
        int dropped = Integer.parseInt(kept.get(Text.DROPPED).split(" ")[0]);
        assertThat(kept.size() - 2 + dropped).isEqualTo(300);
        assertThat(json(kept).length()).isLessThanOrEqualTo(Text.MAP);
        assertThat(Text.clean(Map.of("n".repeat(5000), "v".repeat(5000)))).hasSize(1)
                .containsEntry("n".repeat(Text.NAME - Text.MARK.length()) + Text.MARK, "v".repeat(Text.VALUE - Text.MARK.length()) + Text.MARK);
        assertThat(Text.clean(Map.of("a", "b"))).isEqualTo(Map.of("a", "b"));
    }

    private static String json(Map<String, String> map) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(map);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
