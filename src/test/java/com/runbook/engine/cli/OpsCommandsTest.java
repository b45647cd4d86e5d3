package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rendering of the remote commands' tables from JSON shaped like the API's, and the client's error mapping. */
class OpsCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void incidentsTableShowsPriorityStatusWhoAckedAndMaintenance() throws Exception {
        JsonNode incidents = json("[{'id': 12, 'key': 'db-down', 'priority': 'P1', 'status': 'acknowledged',"
                + " 'title': 'Database down', 'openedAt': '2026-11-26T10:15:30.123Z', 'acknowledgedAt': '2026-11-26T10:20:00Z',"
                + " 'acknowledgedBy': 'alice', 'resolvedAt': null, 'duringMaintenance': false},"
                + " {'id': 7, 'key': 'disk', 'priority': 'P4', 'status': 'open', 'title': 'Disk 80%',"
                + " 'openedAt': '2026-11-26T03:00:00+01:00', 'acknowledgedAt': null, 'acknowledgedBy': null,"
                + " 'resolvedAt': null, 'duringMaintenance': true}]");
        String table = OpsCommands.incidentsTable(OpsCommands.items(incidents, "incidents")).render(Ansi.OFF);
        assertThat(table).isEqualTo(
                "ID  PRIO  STATUS        OPENED (UTC)          ACK BY  TITLE\n"
              + "12  P1    acknowledged  2026-11-26 10:15:30Z  alice   Database down\n"
              + "7   P4    open          2026-11-26 02:00:00Z  -       Disk 80% [maintenance: muted]\n");
    }

    @Test
    void incidentsWrappedInAnObjectAreReadToo() throws Exception {
        JsonNode wrapped = json("{'incidents': [{'id': 3, 'priority': 'P2', 'status': 'resolved', 'title': 'x',"
                + " 'openedAt': '2026-01-01T00:00:00Z'}]}");
        assertThat(OpsCommands.items(wrapped, "incidents")).hasSize(1);
    }

    @Test
    void windowsTableSaysWhichIsOpenNow() throws Exception {
        JsonNode windows = json("[{'job': 'sunday-maintenance', 'start': '2026-11-29T02:00:00Z', 'end': '2026-11-29T04:00:00Z', 'open': true},"
                + " {'job': 'nightly-backup', 'start': '2026-11-27T02:00:00Z', 'end': '2026-11-27T02:30:00Z', 'open': false}]");
        assertThat(OpsCommands.windowsTable(OpsCommands.items(windows, "windows")).render(Ansi.OFF)).isEqualTo(
                "JOB                 START (UTC)           END (UTC)             STATE\n"
              + "sunday-maintenance  2026-11-29 02:00:00Z  2026-11-29 04:00:00Z  open now\n"
              + "nightly-backup      2026-11-27 02:00:00Z  2026-11-27 02:30:00Z  next\n");
    }

    @Test
    void jobsTableShowsManualDisabledAndLocalTimes() throws Exception {
        JsonNode jobs = json("[{'id': 'daily-pnl', 'schedule': {'expression': '0 30 16 ? * MON-FRI', 'zone': 'America/New_York', 'enabled': true},"
                + " 'nextFireUtc': '2026-11-26T21:30Z', 'nextFireLocal': '2026-11-26T16:30-05:00', 'lastStatus': 'failed'},"
                + " {'id': 'emergency-stop', 'schedule': null, 'nextFireUtc': null, 'nextFireLocal': null, 'lastStatus': null},"
                + " {'id': 'watchdog', 'schedule': {'expression': 'every 15000ms', 'zone': 'UTC', 'enabled': false},"
                + " 'nextFireUtc': null, 'nextFireLocal': null, 'lastStatus': 'succeeded'}]");
        assertThat(OpsCommands.jobsTable(jobs).render(Ansi.OFF)).isEqualTo(
                "JOB             SCHEDULE                  ZONE              NEXT FIRE (UTC)       NEXT FIRE (LOCAL)        LAST RUN\n"
              + "daily-pnl       0 30 16 ? * MON-FRI       America/New_York  2026-11-26 21:30:00Z  2026-11-26 16:30:00 EST  failed\n"
              + "emergency-stop  manual                    -                 -                     -                        -\n"
              + "watchdog        every 15000ms (disabled)  UTC               disabled              -                        succeeded\n");
    }

    @Test
    void colourOnlyWhenAnsiIsOnAndColumnsStillLineUp() throws Exception {
        JsonNode runs = json("[{'id': 5, 'job': 'nightly-backup', 'trigger': 'schedule', 'startedAt': '2026-11-26T02:00:00Z',"
                + " 'durationMs': 754000, 'status': 'failed', 'error': 'IOException: bucket\\nnot found'},"
                + " {'id': 4, 'job': 'heartbeat', 'trigger': 'manual', 'startedAt': '2026-11-26T01:00:00Z',"
                + " 'durationMs': 12, 'status': 'succeeded', 'error': null},"
                + " {'id': 3, 'job': 'heartbeat', 'trigger': 'manual', 'startedAt': '2026-11-26T00:00:00Z',"
                + " 'durationMs': null, 'status': 'running', 'error': null}]");
        String plain = OpsCommands.historyTable(runs).render(Ansi.OFF);
        assertThat(plain).isEqualTo(
                "RUN  JOB             TRIGGER   STARTED (UTC)         DURATION  STATUS     ERROR\n"
              + "5    nightly-backup  schedule  2026-11-26 02:00:00Z  12m 34s   failed     IOException: bucket not found\n"
              + "4    heartbeat       manual    2026-11-26 01:00:00Z  12 ms     succeeded  -\n"
              + "3    heartbeat       manual    2026-11-26 00:00:00Z  -         running    -\n");
        String coloured = OpsCommands.historyTable(runs).render(Ansi.ON);
        assertThat(coloured).contains("\u001B[31m", "\u001B[32m", "\u001B[33m");
        assertThat(coloured.replaceAll("\u001B\\[[0-9;]*m", "")).isEqualTo(plain);
    }

    @Test
    void durationsReadLikeAPersonWouldSayThem() throws Exception {
        assertThat(List.of(0, 999, 1000, 12_345, 60_000, 3_599_000, 3_600_000, 7_380_000).stream()
                .map(ms -> OpsCommands.duration(JSON.valueToTree(ms))).toList())
                .containsExactly("0 ms", "999 ms", "1.0 s", "12.3 s", "1m 00s", "59m 59s", "1h 00m", "2h 03m");
    }

    @Test
    void clientMapsEveryErrorAnswerToItsMessageAndStatus() {
        EngineClient client = new EngineClient("http://engine:8080/", "t");
        assertThat(client.baseUrl()).isEqualTo("http://engine:8080");
        assertThatThrownBy(() -> client.answer("GET", "/api/windows", 404, "Not Found"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(5))
                .hasMessage("the engine at http://engine:8080 has no GET /api/windows (404): the feature behind it is not installed on that engine");
        assertThatThrownBy(() -> client.answer("GET", "/api/incidents?open=true", 404, ""))
                .hasMessage("the engine at http://engine:8080 has no GET /api/incidents (404): the feature behind it is not installed on that engine");
        assertThatThrownBy(() -> client.answer("POST", "/api/incidents/9/ack", 404, "{\"error\": \"no incident 9\"}"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(5))
                .hasMessage("no incident 9");
        assertThatThrownBy(() -> client.answer("POST", "/api/incidents/9/ack", 401, "{\"error\": \"invalid bearer token\"}"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(4))
                .hasMessage("the engine refused the API token (invalid bearer token); set RUNBOOK_API_TOKEN to a valid"
                        + " token (your own from 'runbook token create', or the engine's bootstrap token)");
        assertThatThrownBy(() -> client.answer("POST", "/api/jobs/x/run", 403,
                "{\"error\": \"token:bob (viewer) may not POST /api/jobs/{id}/run: it needs operator\"}"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(7))
                .hasMessage("token:bob (viewer) may not POST /api/jobs/{id}/run: it needs operator");
        assertThatThrownBy(() -> client.answer("POST", "/api/incidents/9/ack", 409, "{\"error\": \"incident 9 is resolved\"}"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(6))
                .hasMessage("POST /api/incidents/9/ack failed with 409: incident 9 is resolved");
        assertThatThrownBy(() -> client.answer("GET", "/api/jobs", 502, "<html>bad gateway</html>"))
                .hasMessage("GET /api/jobs failed with 502");
    }
}
