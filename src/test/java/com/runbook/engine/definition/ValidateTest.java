package com.runbook.engine.definition;

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

    /** Every fixture folder with exactly one problem, and that problem (issue 18: each mistake the start meets). */
    static final String ONE_PROBLEM = """
        alert-routing-unknown-runbook | routes/alert-routing.camel.yaml:13:58: alert-routing sets runbook 'dns-failvoer' but no route in routes/ has that id and reads from direct:dns-failvoer
        alert-routing-reads-labels-as-headers | routes/alert-routing.camel.yaml:10:26: alert-routing gets the alert's labels as its body, not as headers: write ${body[alertname]} instead of ${header.alertname} (a header here is only one this route sets itself)
        bad-cron                      | schedules/job-a.yaml:2:7: invalid cron '0 0 25 * * ?': Hour values must be between 0 and 23 (Quartz syntax: sec min hour day-of-month month day-of-week [year])
        bean-method-missing           | routes/job-a.camel.yaml:8:21: route 'job-a', step 'bean': no method 'computeEverything' on class com.runbook.engine.report.DailyPnl
        bean-ref-missing              | routes/job-a.camel.yaml:7:18: route 'job-a', step 'bean': no bean named 'dailyPnI' (neither the engine nor this file's beans: binds one)
        bean-uri-missing              | routes/job-a.camel.yaml:6:21: route 'job-a', step 'to': no bean named 'dnsFailvoer' (neither the engine nor this file's beans: binds one)
        catch-exception-type          | routes/job-a.camel.yaml:11:21: route 'job-a', step 'doCatch': class 'java.net.SocketTimeoutExeption' not found (check its package and spelling)
        component-not-installed       | routes/job-a.camel.yaml:7:18: route 'job-a', step 'to': component 'jms' is not installed in this engine: put camel-jms-<camel version>.jar and the jars it needs in lib/ (see README, "Adding a Camel component")
        cron-never-fires              | schedules/job-a.yaml:2:7: cron '0 0 12 30 2 ?' never fires
        endpoint-boolean-option       | routes/job-a.camel.yaml:9:15: route 'job-a', step 'to': option 'showHeaders': 'maybe' is not true or false in endpoint 'log:job-a?showHeaders=maybe'
        endpoint-enum-option          | routes/job-a.camel.yaml:6:26: route 'job-a', step 'to': option 'level': 'LOUD' is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF in endpoint 'log:job-a?level=LOUD'
        exception-type                | routes/job-a.camel.yaml:8:17: route 'job-a', step 'onException': class 'java.io.IOExeption' not found (check its package and spelling)
        job-reads-other-direct        | routes/job-a.camel.yaml:4:12: route 'job-a' reads from 'direct:job-b': every route in routes/ is a job and reads from direct:job-a; a route's direct: name must be its id (a shared step is a job too: call it with to: direct:job-b and give it that id)
        kamelet-missing-property      | routes/job-a.camel.yaml:6:16: route 'job-a', step 'to': kamelet 'insert-header-action' needs property name
        kamelet-step                  | routes/job-a.camel.yaml:6:11: route 'job-a', step 'kamelet': kamelet 'log-sink' has no property levle (it takes: level, logMask, loggerName, marker, multiline, showAllProperties, showBody, showBodyType, showCachedStreams, showExchangePattern, showHeaders, showProperties, showStreams)
        kamelet-unknown               | routes/job-a.camel.yaml:6:16: route 'job-a', step 'to': no kamelet named 'slack-sinc' in the Kamelet catalog (kamelets/slack-sinc.kamelet.yaml on the class path)
        kamelet-unknown-property      | routes/job-a.camel.yaml:6:16: route 'job-a', step 'to': kamelet 'log-sink' has no property showHeaderz (it takes: level, logMask, loggerName, marker, multiline, showAllProperties, showBody, showBodyType, showCachedStreams, showExchangePattern, showHeaders, showProperties, showStreams)
        logging-level                 | routes/job-a.camel.yaml:8:27: route 'job-a', step 'log': 'LOUD' is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF
        parallel-processing           | routes/job-a.camel.yaml:8:33: route 'job-a', step 'split': 'maybe' is not true or false
        placeholder-in-uri            | routes/job-a.camel.yaml:6:20: route 'job-a', step 'to': property 'runbook.no-such-logger' is not defined (set it in application.properties, an environment variable or -Drunbook.no-such-logger=...)
        quartz-cron                   | routes/nightly.camel.yaml:4:13: route 'nightly' reads from 'quartz:nightly?cron=0+0+25+*+*+?': every route in routes/ is a job and reads from direct:nightly; to run it on a timer or cron, write schedules/nightly.yaml (every: or cron:)
        route-id-not-kebab            | routes/job-a.camel.yaml:2:9: route id 'Job_A' must be kebab-case (lowercase letters and digits in words joined by '-', e.g. nightly-backup): a job's id is also its direct: name, its schedule's job and its name in the API and CLI
        route-without-id              | routes/job-a.camel.yaml:3:12: route has no id: give every route an explicit id
        schedule-without-route        | schedules/job-b.yaml:1:1: schedule names job 'job-b' but no route in routes/ has that id and reads from direct:job-b
        simple-bad-operator           | routes/job-a.camel.yaml:7:22: route 'job-a', step 'filter': invalid Simple expression '${header.env} === 'prod'': Unexpected token = at location 14
        simple-in-choice              | routes/job-a.camel.yaml:11:26: route 'job-a', step 'when': invalid Simple expression '${header.b} == 'y': expected symbol singleQuote but was eol at location 16
        simple-unclosed               | routes/job-a.camel.yaml:7:23: route 'job-a', step 'log': invalid Simple expression 'note: ${header.note': expected symbol functionEnd but was eol at location 18
        simple-unknown-function       | routes/job-a.camel.yaml:7:22: route 'job-a', step 'setBody': invalid Simple expression '${hedaer.fail}': Unknown function: hedaer.fail at location 0
        timer-period                  | routes/tick.camel.yaml:4:12: route 'tick' reads from 'timer:tick?period=soon': every route in routes/ is a job and reads from direct:tick; to run it on a timer or cron, write schedules/tick.yaml (every: or cron:)
        timer-repeat-count            | routes/tick.camel.yaml:4:7: route 'tick' reads from 'timer:tick?period=60000&repeatCount=many': every route in routes/ is a job and reads from direct:tick; to run it on a timer or cron, write schedules/tick.yaml (every: or cron:)
        undefined-placeholder         | routes/job-a.camel.yaml:7:38: route 'job-a', step 'log': property 'runbook.report.recipient' is not defined (set it in application.properties, an environment variable or -Drunbook.report.recipient=...)
        duplicate-route-ids           | routes/job-a.camel.yaml:2:1: duplicate route id 'job-a' (first defined at routes/job-a-copy.camel.yaml:3)
        unknown-dsl-key               | routes/job-a.camel.yaml:7:21: unknown DSL key 'mesage' (see the Camel YAML DSL reference for the keys this step takes)
        unknown-option                | routes/job-a.camel.yaml:6:26: route 'job-a', step 'to': unknown option levl for endpoint 'log:job-a?levl=INFO'
        unknown-scheme                | routes/job-a.camel.yaml:6:15: route 'job-a', step 'to': component 'nosuchthing' is not installed in this engine: put camel-nosuchthing-<camel version>.jar and the jars it needs in lib/ (see README, "Adding a Camel component")
        unknown-zone                  | schedules/job-a.yaml:3:7: unknown time zone 'America/New_Yrok' (use an IANA id such as UTC, America/New_York, Asia/Kolkata)
        throw-exception-type          | routes/job-a.camel.yaml:7:28: route 'job-a', step 'throwException': class 'java.lang.IllegalStateExeption' not found (check its package and spelling)
        endpoint-bean-option          | routes/job-a.camel.yaml:6:40: route 'job-a', step 'to': option 'dataSource': no bean named 'nosuch' (neither the engine nor this file's beans: binds one)
        dataformat-not-installed      | routes/job-a.camel.yaml:6:11: route 'job-a', step 'marshal': data format 'gson' is not installed in this engine: put camel-gson-<camel version>.jar and the jars it needs in lib/ (see README, "Adding a Camel component")
        yaml-syntax                   | routes/job-a.camel.yaml:7:1: while scanning a quoted scalar: found unexpected end of stream
        bean-of-other-file            | routes/job-b.camel.yaml:7:18: route 'job-b', step 'bean': no bean named 'greeter' (neither the engine nor this file's beans: binds one)
        route-configuration-other-file | routes/job-b.camel.yaml:3:5: route 'job-b' names routeConfigurationId 'job-a-errors', but this file has no routeConfiguration with that id: a routeConfiguration applies only to the routes of its own file (copy it into this file)
        route-configuration-exception-type | routes/job-a.camel.yaml:6:15: route 'job-a', step 'onException': class 'java.io.IOExeption' not found (check its package and spelling)
        access-unknown-key            | routes/job-a.camel.yaml:2:5: unknown key 'runs' in 'access' (expected one of: run)
        access-unknown-role           | routes/job-a.camel.yaml:2:10: unknown role 'superuser' for 'run' (expected one of: operator, admin)
        access-not-a-mapping          | "routes/job-a.camel.yaml:1:11: 'access' must be a mapping (run: operator | admin)"
        access-calls-guarded-job      | "routes/job-a.camel.yaml:7:15: route 'job-a' calls job 'guarded', which needs admin to run, but this file's runbooks need operator: declare '- access: {run: admin}' in this file too (else an operator could run guarded through it)"
        access-calls-job-chosen-at-run-time | "routes/job-a.camel.yaml:6:17: route 'job-a' calls a job chosen when it runs ('direct:${header.next}'), which could be one that needs admin to run, but this file's runbooks need operator: name the job (to: direct:<job>) or declare '- access: {run: admin}' in this file"
        access-viewer-runs            | "routes/job-a.camel.yaml:2:10: 'run: viewer': a viewer only reads; a runbook needs operator (the default) or admin to run"
        access-two-blocks             | routes/job-a.camel.yaml:9:3: a route file declares its access in one '- access:' item; this is a second one
        """;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = ONE_PROBLEM)
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
    void aRouteWithSeveralBadStepsGetsOneProblemPerStep() throws Exception {
        assertThat(problems("every-bad-step-reported")).containsExactly(
                "routes/job-a.camel.yaml:6:17: route 'job-a', step 'log': invalid Simple expression 'start ${header.a':"
                        + " expected symbol functionEnd but was eol at location 15",
                "routes/job-a.camel.yaml:10:21: route 'job-a', step 'to': no bean named 'noSuchBean' (neither the engine"
                        + " nor this file's beans: binds one)",
                "routes/job-a.camel.yaml:13:27: route 'job-a', step 'log': 'NOISY' is not one of TRACE, DEBUG, INFO, WARN,"
                        + " ERROR, OFF");
    }

    @Test
    void aBeanNameTakenDoesNotHideTheFilesOtherProblems() throws Exception {
        assertThat(problems("bean-name-taken-and-bad-step")).containsExactly(
                "routes/job-a.camel.yaml:2:13: bean 'dataSource' is already bound by the engine: choose another name",
                "routes/job-a.camel.yaml:9:17: route 'job-a', step 'log': invalid Simple expression 'note: ${header.note':"
                        + " expected symbol functionEnd but was eol at location 18");
    }

    @Test
    void routeTemplatesAreRefusedWithWhatToWriteInstead() throws Exception {
        String instead = " is not supported in routes/: share steps with a route that reads from direct:<its id> in its own"
                + " file (to: direct:<id>), or use a kamelet from the Kamelet catalog (kamelet:<name>)";
        assertThat(problems("route-template")).containsExactly(
                "routes/greet.camel.yaml:1:3: routeTemplate" + instead, "routes/greet.camel.yaml:9:3: templatedRoute" + instead);
    }

    @Test
    void validCamelIsAccepted() throws Exception {
        // http query parameters, RAW(), a kamelet, a routeConfiguration-only file, a routeConfiguration a route names,
        // an access item (guarded.camel.yaml)
        assertThat(problems("valid-camel")).isEmpty();
    }

    @Test
    void anAccessItemSharingItsItemWithARouteIsRefused() throws Exception {
        assertThat(problems("access-not-its-own-item")).containsExactly(
                "routes/job-a.camel.yaml:3:3: '- access:' is an item of its own: put 'route' in another item");
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
