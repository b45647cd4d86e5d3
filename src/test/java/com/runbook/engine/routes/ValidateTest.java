package com.runbook.engine.routes;

import com.runbook.engine.cli.RunbookCli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One fixture folder per error class under src/test/resources/validate; the exact messages are a contract. */
class ValidateTest {

    private static List<String> problems(String fixture) throws Exception {
        return RunbookCli.validate(Path.of("src/test/resources/validate", fixture)).stream().map(Problem::toString).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        yaml-syntax            | routes/job-a.camel.yaml:7:1: while scanning a quoted scalar: found unexpected end of stream
        unknown-dsl-key        | routes/job-a.camel.yaml:7:21: unknown DSL key 'mesage' (see the Camel YAML DSL reference for the keys this step takes)
        unknown-scheme         | routes/job-a.camel.yaml:6:15: unknown endpoint scheme 'nosuchthing' in 'nosuchthing:foo'
        unknown-option         | routes/job-a.camel.yaml:6:16: unknown option levl for endpoint 'log:job-a?levl=INFO'
        route-without-id       | routes/job-a.camel.yaml:3:12: route has no id: give every route an explicit id
        route-id-not-kebab     | routes/job-a.camel.yaml:2:9: route id 'Job_A' must be kebab-case (lowercase letters and digits in words joined by '-', e.g. nightly-backup): a job's id is also its direct: name, its schedule's job and its name in the API and CLI
        duplicate-route-ids    | routes/job-a.camel.yaml:2:1: duplicate route id 'job-a' (first defined at routes/job-a-copy.camel.yaml:3)
        schedule-without-route | schedules/job-b.yaml:1:1: schedule names job 'job-b' but no route in routes/ has that id and reads from direct:job-b
        alert-routing-unknown-runbook | routes/alert-routing.camel.yaml:13:58: alert-routing sets runbook 'dns-failvoer' but no route in routes/ has that id and reads from direct:dns-failvoer
        bad-cron               | schedules/job-a.yaml:2:7: invalid cron '0 0 25 * * ?': Hour values must be between 0 and 23 (Quartz syntax: sec min hour day-of-month month day-of-week [year])
        cron-never-fires       | schedules/job-a.yaml:2:7: cron '0 0 12 30 2 ?' never fires
        unknown-zone           | schedules/job-a.yaml:3:7: unknown time zone 'America/New_Yrok' (use an IANA id such as UTC, America/New_York, Asia/Kolkata)
        """)
    void eachErrorClassIsReportedWithFileLineAndColumn(String fixture, String expected) throws Exception {
        assertThat(problems(fixture)).containsExactly(expected);
    }

    @Test
    void everyProblemInAFileIsCollectedNotJustTheFirst() throws Exception {
        assertThat(problems("schedule-many-errors")).containsExactly(
                "schedules/job-a.yaml:2:8: 'every': invalid duration '15 seconds' (use e.g. 500ms, 15s, 5m, 2h, 1d)",
                "schedules/job-a.yaml:3:10: 'overlap' must be one of queue | skip, not 'parallel'",
                "schedules/job-a.yaml:4:10: 'misfire' must be one of fire-once-now | skip, not 'later'",
                "schedules/job-a.yaml:5:10: 'enabled' must be true or false, not 'yes'",
                "schedules/job-a.yaml:6:1: unknown key 'timezone' (expected one of: id, job, params, cron, every, zone, "
                        + "enabled, misfire, overlap, timeout, window, description)");
    }

    @Test
    void anEntryWithProblemsIsStillCheckedAgainstRoutes() throws Exception {
        assertThat(problems("schedule-errors-and-no-route")).containsExactly(
                "schedules/job-b.yaml:1:1: schedule names job 'job-b' but no route in routes/ has that id and reads from direct:job-b",
                "schedules/job-b.yaml:2:7: invalid cron '0 0 25 * * ?': Hour values must be between 0 and 23"
                        + " (Quartz syntax: sec min hour day-of-month month day-of-week [year])");
    }

    @Test
    void theShippedRunbooksAreValid() throws Exception {
        assertThat(RunbookCli.validate(Path.of("."))).isEmpty();
    }

    @Test
    void validateCommandExitsNonZeroOnProblemsAndZeroWhenClean() {
        assertThat(new picocli.CommandLine(new RunbookCli()).execute("validate", "-d", "src/test/resources/validate/bad-cron"))
                .isEqualTo(1);
        assertThat(new picocli.CommandLine(new RunbookCli()).execute("validate", "-d", ".")).isZero();
    }
}
