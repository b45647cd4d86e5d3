package com.runbook.engine.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.definition.Parameters;
import com.runbook.engine.definition.Schedule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The schedule and job rows of GET /api/schedules and GET /api/jobs: their JSON, field by field, in order. */
class ViewsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Schedule RATES = new Schedule("daily-pnl", "0 30 16 ? * MON-FRI", null, ZoneId.of("America/New_York"),
            true, "fire-once-now", "skip", null, null, "schedules/daily-pnl.yaml", 3);
    static final Schedule TICK = new Schedule("heartbeat", null, Duration.ofSeconds(90), ZoneId.of("UTC"), false,
            "skip", "queue", null, null, "schedules/heartbeat.yaml", 1);

    @Test
    void aScheduleRow() throws Exception {
        ScheduleView view = ScheduleView.of(RATES, Parameters.UNDECLARED, Instant.parse("2026-12-07T21:30:00Z"),
                new ScheduleView.LastRun(7, "succeeded", "schedule", "2026-12-04T21:30:00Z"));
        assertThat(JSON.writeValueAsString(view)).isEqualTo("{\"id\":\"daily-pnl\",\"job\":\"daily-pnl\",\"params\":{},"
                + "\"expression\":\"0 30 16 ? * MON-FRI\",\"cron\":\"0 30 16 ? * MON-FRI\",\"every\":null,"
                + "\"zone\":\"America/New_York\",\"enabled\":true,\"misfire\":\"fire-once-now\",\"overlap\":\"skip\","
                + "\"file\":\"schedules/daily-pnl.yaml:3\",\"nextFireUtc\":\"2026-12-07T21:30:00Z\","
                + "\"nextFireLocal\":\"2026-12-07T16:30:00-05:00\",\"lastRun\":{\"id\":7,\"status\":\"succeeded\","
                + "\"trigger\":\"schedule\",\"startedAt\":\"2026-12-04T21:30:00Z\"}}");
        assertThat(JSON.writeValueAsString(ScheduleView.of(TICK, Parameters.UNDECLARED, null, null)))
                .isEqualTo("{\"id\":\"heartbeat\",\"job\":\"heartbeat\",\"params\":{},\"expression\":\"every 90s\","
                        + "\"cron\":null,\"every\":\"90s\",\"zone\":\"UTC\",\"enabled\":false,\"misfire\":\"skip\","
                        + "\"overlap\":\"queue\",\"file\":\"schedules/heartbeat.yaml:1\",\"nextFireUtc\":null,"
                        + "\"nextFireLocal\":null,\"lastRun\":null}");
    }

    @Test
    void aJobRow() throws Exception {
        JobView job = new JobView("heartbeat", "routes/heartbeat.camel.yaml", "operator", new JobView.Summary("every 90s", "UTC",
                false, "queue", "skip", "schedules/heartbeat.yaml"), null, null, "succeeded",
                List.of(ScheduleView.of(TICK, Parameters.UNDECLARED, null, null)));
        assertThat(JSON.writeValueAsString(job)).startsWith("{\"id\":\"heartbeat\",\"file\":\"routes/heartbeat.camel.yaml\",\"role\":\"operator\","
                + "\"schedule\":{\"expression\":\"every 90s\",\"zone\":\"UTC\",\"enabled\":false,\"overlap\":\"queue\","
                + "\"misfire\":\"skip\",\"file\":\"schedules/heartbeat.yaml\"},\"nextFireUtc\":null,\"nextFireLocal\":null,"
                + "\"lastStatus\":\"succeeded\",\"schedules\":[{\"id\":\"heartbeat\",");
        assertThat(JSON.writeValueAsString(new JobView("echo", "routes/echo.camel.yaml", "admin", null, null, null, null, List.of())))
                .isEqualTo("{\"id\":\"echo\",\"file\":\"routes/echo.camel.yaml\",\"role\":\"admin\",\"schedule\":null,\"nextFireUtc\":null,"
                        + "\"nextFireLocal\":null,\"lastStatus\":null,\"schedules\":[]}");
    }
}
