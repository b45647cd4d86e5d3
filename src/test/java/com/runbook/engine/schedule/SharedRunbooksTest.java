package com.runbook.engine.schedule;

import com.runbook.engine.core.RunRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.alert.Payloads;
import com.runbook.engine.cli.RunbookCli;
import com.runbook.engine.definition.FileState;
import com.runbook.engine.definition.Problem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared runbooks: the worked example of README's Scheduling section, src/test/resources/shared-runbooks —
 * one desk-report runbook with declared parameters, scheduled per desk in each desk's zone.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedRunbooksTest {
    private static final Path EXAMPLE = Path.of("src/test/resources/shared-runbooks");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    Path base;
    Engine engine;

    @BeforeAll
    void start() throws Exception {
        base = copy(EXAMPLE, dir.resolve("base"));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    @Test
    void theWorkedExampleIsValid() throws Exception {
        assertThat(RunbookCli.validate(EXAMPLE)).isEmpty();
    }

    @Test
    void validateChecksEverySchedulesIdAndParamsWithLineAndColumn() throws Exception {
        Path copy = copy(EXAMPLE, dir.resolve("validate"));
        Files.writeString(copy.resolve("schedules/z-extra.yaml"), """
                - job: desk-report
                  cron: "0 0 9 * * ?"
                - id: desk-report-rates
                  job: desk-report
                  params:
                    desk: bonds
                    top: many
                    colour: red
                  cron: "0 0 9 * * ?"
                - job: heartbeat
                  params:
                    note: x
                  every: 1h
                """);
        assertThat(RunbookCli.validate(copy)).extracting(Problem::toString).containsExactly(
                "schedules/z-extra.yaml:1:1: missing required parameter 'desk' (enum: the trading desk to report on)",
                "schedules/z-extra.yaml:3:7: schedule id 'desk-report-rates' is already used at schedules/desk-reports.yaml:2"
                        + " (each schedule of a shared job needs an 'id' of its own; the default id is the job)",
                "schedules/z-extra.yaml:6:11: parameter 'desk' must be one of rates | fx | equities, not 'bonds'",
                "schedules/z-extra.yaml:7:10: parameter 'top' must be an integer, not 'many'",
                "schedules/z-extra.yaml:8:5: unknown parameter 'colour' (declared: desk, top, day)",
                "schedules/z-extra.yaml:10:3: schedule id 'heartbeat' is already used at schedules/heartbeat.yaml:1"
                        + " (each schedule of a shared job needs an 'id' of its own; the default id is the job)",
                "schedules/z-extra.yaml:12:5: job 'heartbeat' declares no parameters (declare them in a '- parameters:'"
                        + " item of its route file)");
    }

    @Test
    void validateChecksTheParametersItemOfARouteFile() throws Exception {
        Path copy = copy(EXAMPLE, dir.resolve("validate-route"));
        Path route = copy.resolve("routes/desk-report.camel.yaml");
        Files.writeString(route, Files.readString(route).replace("type: integer", "type: int")
                .replace("      required: true\n", "      required: yes\n"));
        assertThat(RunbookCli.validate(copy)).extracting(Problem::toString).containsExactly(
                "routes/desk-report.camel.yaml:8:17: 'required' must be true or false, not 'yes'",
                "routes/desk-report.camel.yaml:11:13: unknown type 'int' (expected one of: string, integer, decimal,"
                        + " boolean, date, duration, enum)",
                // the whole set: a schedule of a refused runbook is refused with it
                "schedules/desk-reports.yaml:2:1: refused because routes/desk-report.camel.yaml is refused"
                        + " (schedule names job 'desk-report')",
                "schedules/desk-reports.yaml:8:1: refused because routes/desk-report.camel.yaml is refused"
                        + " (schedule names job 'desk-report')");
    }

    @Test
    void validateChecksTheParamsOfAScheduleFileWithProblemsOfItsOwn() throws Exception {
        Path copy = copy(EXAMPLE, dir.resolve("validate-schedule"));
        Path schedules = copy.resolve("schedules/desk-reports.yaml");
        Files.writeString(schedules, Files.readString(schedules).replace("Europe/London", "Europe/Londn")
                .replace("top: 25", "top: many"));
        assertThat(RunbookCli.validate(copy)).extracting(Problem::toString).containsExactly(
                "schedules/desk-reports.yaml:7:9: unknown time zone 'Europe/Londn' (use an IANA id such as UTC,"
                        + " America/New_York, Asia/Kolkata)",
                "schedules/desk-reports.yaml:12:10: parameter 'top' must be an integer, not 'many'");
    }

    @Test
    void theApiListsEverySchedulesIdParamsZoneAndNextFire() throws Exception {
        JsonNode schedules = JSON.readTree(TestEngine.get(engine, "/api/schedules?job=desk-report").body());
        assertThat(schedules).hasSize(2);
        JsonNode rates = schedules.get(0);
        JsonNode equities = schedules.get(1);
        assertThat(rates.get("id").asText()).isEqualTo("desk-report-rates");
        assertThat(rates.get("params").toString()).isEqualTo("{\"desk\":\"rates\"}");
        assertThat(rates.get("zone").asText()).isEqualTo("Europe/London");
        assertThat(rates.get("expression").asText()).isEqualTo("0 30 17 ? * MON-FRI");
        assertThat(OffsetDateTime.parse(rates.get("nextFireLocal").asText()).toLocalTime()).isEqualTo(LocalTime.of(17, 30));
        assertThat(OffsetDateTime.parse(rates.get("nextFireUtc").asText()).toInstant())
                .isEqualTo(OffsetDateTime.parse(rates.get("nextFireLocal").asText()).toInstant());
        assertThat(equities.get("params").toString()).isEqualTo("{\"desk\":\"equities\",\"top\":\"25\"}");
        assertThat(equities.get("zone").asText()).isEqualTo("America/New_York");
        assertThat(OffsetDateTime.parse(equities.get("nextFireLocal").asText()).toLocalTime()).isEqualTo(LocalTime.of(16, 30));
        assertThat(equities.get("file").asText()).isEqualTo("schedules/desk-reports.yaml:8");

        JsonNode jobs = JSON.readTree(TestEngine.get(engine, "/api/jobs").body());
        JsonNode report = null;
        for (JsonNode job : jobs) {
            report = job.get("id").asText().equals("desk-report") ? job : report;
        }
        List<String> ids = new ArrayList<>();
        report.get("schedules").forEach(s -> ids.add(s.get("id").asText()));
        assertThat(ids).containsExactly("desk-report-rates", "desk-report-equities");
    }

    @Test
    void aRunWithBadParametersIsRefusedWithEveryProblemAndNothingRuns() throws Exception {
        HttpResponse<String> missing = TestEngine.post(engine, "/api/jobs/desk-report/run", TestEngine.TOKEN, "{}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("problems").toString()).isEqualTo(
                "[\"missing required parameter 'desk' (enum: the trading desk to report on)\"]");
        HttpResponse<String> wrong = TestEngine.post(engine, "/api/jobs/desk-report/run", TestEngine.TOKEN,
                "{\"desk\": \"fx\", \"top\": \"x\", \"colour\": \"red\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).get("problems").toString()).isEqualTo("[\"parameter 'top' must be an"
                + " integer, not 'x'\",\"unknown parameter 'colour' (declared: desk, top, day)\"]");
        assertThat(manualRuns()).isZero();

        Result cli = cli("trigger", "desk-report", "-p", "desk=bonds", "-p", "day=monday");
        assertThat(cli.code()).isEqualTo(2);
        assertThat(cli.err()).contains("error: parameters refused for desk-report:",
                "  parameter 'desk' must be one of rates | fx | equities, not 'bonds'",
                "  parameter 'day' must be a date (yyyy-mm-dd), not 'monday'");
        assertThat(manualRuns()).isZero();
    }

    private long manualRuns() {
        return new JdbcTemplate(engine.dataSource()).queryForObject(
                "select count(*) from job_run where job = 'desk-report' and run_trigger = 'manual'", Long.class);
    }

    @Test
    void aRunRecordsItsParametersWithDefaultsAndAScheduledRunItsScheduleId() throws Exception {
        HttpResponse<String> ok = TestEngine.post(engine, "/api/jobs/desk-report/run", TestEngine.TOKEN,
                "{\"desk\": \"fx\", \"day\": \"2026-12-07\"}");
        assertThat(ok.statusCode()).isEqualTo(202);
        long id = JSON.readTree(ok.body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body())
                .get("status").asText().equals("succeeded"));
        JsonNode run = JSON.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
        assertThat(run.get("params").toString()).isEqualTo("{\"day\":\"2026-12-07\",\"desk\":\"fx\",\"top\":\"10\"}");
        assertThat(run.get("scheduleId").isNull()).isTrue();

        Path fx = base.resolve("schedules/fx.yaml");
        Files.writeString(fx, "id: desk-report-fx\njob: desk-report\nparams:\n  desk: fx\nevery: 1s\n");
        assertThat(engine.runbooks().reload(fx).status()).isEqualTo("applied");
        await().atMost(Duration.ofSeconds(30)).until(() -> scheduledRun("desk-report-fx") != null);
        Map<String, Object> scheduled = scheduledRun("desk-report-fx");
        assertThat(scheduled).containsEntry("job", "desk-report").containsEntry("trigger", "schedule")
                .containsEntry("params", Map.of("desk", "fx", "top", "10"));
        JsonNode listed = JSON.readTree(TestEngine.get(engine, "/api/schedules?job=desk-report").body());
        assertThat(listed).hasSize(3);
        assertThat(listed.get(2).get("lastRun").get("status").asText()).isIn("running", "succeeded");
        Files.delete(fx);
        assertThat(engine.runbooks().reload(fx).status()).isEqualTo("applied");
        assertThat(engine.scheduler().nextFire("desk-report-fx")).isNull();
    }

    private Map<String, Object> scheduledRun(String scheduleId) {
        return engine.runs().list("desk-report", 100).stream().map(RunRecord::json)
                .filter(r -> scheduleId.equals(r.get("scheduleId")) && "succeeded".equals(r.get("status")))
                .findFirst().orElse(null);
    }

    @Test
    void reloadingOneScheduleFileChangesOnlyItsChangedTriggers() throws Exception {
        Path hourly = base.resolve("schedules/hourly.yaml");
        String h1 = "- id: h1\n  job: desk-report\n  params: {desk: fx}\n  every: 1h\n";
        Files.writeString(hourly, h1 + "- id: h2\n  job: desk-report\n  params: {desk: rates}\n  every: 1h\n");
        assertThat(engine.runbooks().reload(hourly).status()).isEqualTo("applied");
        Instant heartbeat = engine.scheduler().nextFire("heartbeat");
        Instant rates = engine.scheduler().nextFire("desk-report-rates");
        Instant first = engine.scheduler().nextFire("h1");
        Instant second = engine.scheduler().nextFire("h2");
        assertThat(first).isNotNull();
        // every: triggers start at "now + every" when (re)scheduled: a rescheduled one would move by the time elapsed
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        Files.writeString(hourly, h1 + "- id: h2\n  job: desk-report\n  params: {desk: rates}\n  every: 2h\n");
        assertThat(engine.runbooks().reload(hourly).status()).isEqualTo("applied");
        assertThat(engine.scheduler().nextFire("heartbeat")).isEqualTo(heartbeat);
        assertThat(engine.scheduler().nextFire("desk-report-rates")).isEqualTo(rates);
        assertThat(engine.scheduler().nextFire("h1")).isEqualTo(first);
        assertThat(engine.scheduler().nextFire("h2")).isAfter(second.plus(Duration.ofMinutes(59)));
        Files.delete(hourly);
        assertThat(engine.runbooks().reload(hourly).status()).isEqualTo("applied");
    }

    @Test
    void aRouteChangeThatBreaksASchedulesParamsRefusesTheScheduleFile() throws Exception {
        Path route = base.resolve("routes/desk-report.camel.yaml");
        String text = Files.readString(route);
        String withoutTop = text.replace("""
                    - name: top
                      type: integer
                      default: 10
                      description: how many positions the report lists
                """, "");
        assertThat(withoutTop).isNotEqualTo(text);
        Files.writeString(route, withoutTop);
        try {
            // the whole set is decided on: the problem is in the schedule file, which is refused; the route applies
            assertThat(engine.runbooks().reload(route).status()).isEqualTo("applied");
            FileState schedules = engine.runbooks().states().stream()
                    .filter(s -> s.file().equals("schedules/desk-reports.yaml")).findFirst().orElseThrow();
            assertThat(schedules.status()).isEqualTo("refused");
            assertThat(schedules.problems()).containsExactly(
                    "schedules/desk-reports.yaml:12:5: unknown parameter 'top' (declared: desk, day)");
            assertThat(engine.scheduler().nextFire("desk-report-rates")).isNull();
        } finally {
            Files.writeString(route, text);
            assertThat(engine.runbooks().reload(route).status()).isEqualTo("applied");
        }
        assertThat(engine.runbooks().states()).allMatch(s -> !s.refused());
        assertThat(engine.scheduler().nextFire("desk-report-rates")).isNotNull();
    }

    @Test
    void alertRoutingChecksTheDeclaredLabelsAndPassesTheOthersOn() throws Exception {
        Path routing = base.resolve("routes/alert-routing.camel.yaml");
        Files.writeString(routing, """
                - route:
                    id: alert-routing
                    from:
                      uri: direct:alert-routing
                      steps:
                        - filter:
                            simple: "${body[alertname]} == 'DeskReportDue'"
                            steps:
                              - setHeader: {name: runbook, constant: desk-report}
                """);
        assertThat(engine.runbooks().reload(routing).status()).isEqualTo("applied");
        try {
            HttpResponse<String> fx = TestEngine.post(engine, "/webhooks/alertmanager", TestEngine.TOKEN, Payloads.alertmanager(
                    "firing", "desk-fx", Map.of("alertname", "DeskReportDue", "desk", "fx", "severity", "info")));
            assertThat(fx.statusCode()).isBetween(200, 299);
            await().atMost(Duration.ofSeconds(30)).until(() -> alertRuns().stream().anyMatch(r -> "succeeded".equals(r.get("status"))));
            // the labels the runbook does not declare (alertname, severity) are passed on, not recorded, not refused
            assertThat(alertRuns()).singleElement().satisfies(r -> assertThat(r.get("params"))
                    .isEqualTo(Map.of("desk", "fx", "top", "10")));
            // a declared label of the wrong kind refuses the run (logged with the incident); the alert is still taken
            HttpResponse<String> bonds = TestEngine.post(engine, "/webhooks/alertmanager", TestEngine.TOKEN, Payloads.alertmanager(
                    "firing", "desk-bonds", Map.of("alertname", "DeskReportDue", "desk", "bonds", "severity", "info")));
            assertThat(bonds.statusCode()).isBetween(200, 299);
            assertThat(alertRuns()).hasSize(1);
        } finally {
            Files.delete(routing);
            engine.runbooks().reload(routing);
        }
    }

    private List<Map<String, Object>> alertRuns() {
        return engine.runs().list("desk-report", 100).stream().map(RunRecord::json).filter(r -> "alert".equals(r.get("trigger"))).toList();
    }

    @Test
    void theCliListsTheSchedules() {
        Result r = cli("schedules", "desk-report");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("SCHEDULE").contains("JOB", "PARAMS", "WHEN", "ZONE", "NEXT FIRE (UTC)",
                "NEXT FIRE (LOCAL)", "LAST RUN");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("desk-report-rates").contains("desk=rates",
                "0 30 17 ? * MON-FRI", "Europe/London", "17:30:00"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("desk-report-equities").contains("desk=equities top=25",
                "America/New_York", "16:30:00"));
    }

    record Result(int code, String out, String err) {
    }

    private Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RunbookCli.commandLine(Map.of("RUNBOOK_URL", TestEngine.base(engine), "RUNBOOK_API_TOKEN",
                TestEngine.TOKEN, "RUNBOOK_DATA_DIR", dir.resolve("no-data").toString()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Result(cli.execute(args), out.toString(), err.toString());
    }
}
