package com.runbook.engine.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The doors that are not HTTP start at the readiness point and stop at the start of shutdown. */
class FrontDoorTest {
    final FrontDoor door = new FrontDoor(() -> ServerLimits.read(key -> null), path -> false);
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
}
