package com.runbook.engine.http;

import com.runbook.engine.settings.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The doors that are not HTTP start at the readiness point and stop at the start of shutdown. */
class FrontDoorTest {
    final FrontDoor door = new FrontDoor(() -> settings(Map.of()), path -> false);
    final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void doorsStartWhenReadyInOrderAndStopAtTheStartOfShutdownInReverse() {
        door.whileReady(() -> events.add("start a"), () -> events.add("stop a"));
        door.whileReady(() -> events.add("start b"), () -> events.add("stop b"));
        assertThat(events).as("nothing starts before ready").isEmpty();
        door.ready();
        assertThat(events).containsExactly("start a", "start b");
        door.stopping();
        assertThat(door.phase()).isEqualTo(FrontDoor.Phase.STOPPING);
        assertThat(events).containsExactly("start a", "start b", "stop b", "stop a");
        door.stopping();
        assertThat(events).as("stopped once").hasSize(4);
    }

    @Test
    void aDoorRegisteredOnceReadyStartsAtOnce() {
        door.ready();
        door.whileReady(() -> events.add("start"), () -> events.add("stop"));
        assertThat(events).containsExactly("start");
    }

    @Test
    void anEngineThatStopsBeforeItWasReadyStopsNoDoor() {
        door.whileReady(() -> events.add("start"), () -> events.add("stop"));
        door.stopping();
        assertThat(events).isEmpty();
    }

    @Test
    void aDoorThatFailsToStopDoesNotKeepTheOthersOpen() {
        door.whileReady(() -> events.add("start a"), () -> events.add("stop a"));
        door.whileReady(() -> events.add("start b"), () -> {
            throw new IllegalStateException("cannot stop route b");
        });
        door.ready();
        door.stopping();
        assertThat(events).containsExactly("start a", "start b", "stop a");
    }

    @Test
    void theServerLimitsAreReadFromTheSettings() {
        ServerLimits limits = ServerLimits.from(settings(Map.of("runbook.http.header-timeout", "8s",
                "runbook.http.idle-timeout", "2m", "runbook.http.max-connections", "50",
                "camel.server.maxBodySize", "1024")));
        assertThat(limits).isEqualTo(new ServerLimits(Duration.ofSeconds(8), Duration.ofMinutes(2), 50, 1024));
        assertThatThrownBy(() -> ServerLimits.from(settings(Map.of("runbook.http.header-timeout", "8s",
                "runbook.http.idle-timeout", "2m", "runbook.http.max-connections", "0",
                "camel.server.maxBodySize", "1024"))))
                .hasMessage("runbook.http.max-connections: must be a whole number of at least 1, not '0'");
    }

    private static Settings settings(Map<String, String> values) {
        return Settings.of(key -> Optional.ofNullable(values.get(key)));
    }
}
