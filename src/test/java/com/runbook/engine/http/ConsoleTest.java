package com.runbook.engine.http;

import com.runbook.engine.core.RunRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The web console in a real headless Chromium against a real engine on the shipped runbooks. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTest {
    @TempDir
    static Path dir;
    Engine engine;
    Path base;
    WebDriver browser;

    /** A runbook with a declared parameter, a log line, a split over three items and an endpoint: a story to show. */
    static final String STORY = """
            - parameters:
                - name: region
                  type: string
                  default: "eu-west"
                  description: "the region the story is about"
                - name: pause
                  type: integer
                  default: "0"
                  description: "ms the run waits before its last line (a synchronous delay: the run's log keeps it)"
            - route:
                id: story-demo
                from:
                  uri: direct:story-demo
                  steps:
                    - log:
                        message: "story-demo: telling the story of ${header.region}"
                    - setBody:
                        constant: "a,b,c"
                    - split:
                        tokenize: ","
                        steps:
                          - log:
                              message: "story-demo: item ${body}"
                    - delay:
                        asyncDelayed: false
                        simple: "${header.pause}"
                    - to:
                        uri: "log:story-demo?level=INFO"
                    - log:
                        message: "story-demo: the end"
            """;

    /** A runbook that calls a remote HTTP endpoint (where nothing listens): rehearsed, it has a plan of one effect. */
    static final String LEAK = """
            - route:
                id: story-leak
                from:
                  uri: direct:story-leak
                  steps:
                    - log:
                        message: "story-leak: about to call the trading API"
                    - to:
                        uri: "http://127.0.0.1:9/halt?httpMethod=POST"
            """;

    @BeforeAll
    void start() throws Exception {
        base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        Files.writeString(base.resolve("routes/story-demo.camel.yaml"), STORY);
        Files.writeString(base.resolve("routes/story-leak.camel.yaml"), LEAK);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--window-size=1400,1000", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (engine != null) {
            engine.close();
        }
    }

    WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    void screenshot(String path) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of(path), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void logInSeeTheJobsRunOneAndSeeTheRun() throws Exception {
        HttpResponse<String> page = TestEngine.get(engine, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(TestEngine.get(engine, "/api/auth", null).statusCode()).isEqualTo(401);

        browser.get(TestEngine.base(engine) + "/");
        ((ChromeDriver) browser).executeScript("sessionStorage.clear()");   // another test may have logged in
        browser.navigate().refresh();
        assertThat(find("#login").isDisplayed()).isTrue();
        assertThat(find("#console").isDisplayed()).isFalse();

        find("#token").sendKeys("not-the-token");
        find("#login-button").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !find("#login-error").getText().isEmpty());
        assertThat(find("#login-error").getText()).isEqualTo("Wrong token: invalid bearer token");
        assertThat(find("#console").isDisplayed()).isFalse();

        find("#token").clear();
        find("#token").sendKeys(TestEngine.TOKEN);
        find("#login-button").click();
        int jobCount = new ObjectMapper().readTree(TestEngine.get(engine, "/api/jobs").body()).size();
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#jobs tr[data-job]").size() == jobCount);
        WebElement heartbeat = find("#jobs tr[data-job='heartbeat']");
        assertThat(heartbeat.getText()).contains("every 1m", "UTC");
        assertThat(find("#jobs tr[data-job='echo-parameters']").getText()).contains("manual");
        // every schedule by its id (several may run one job)
        await().atMost(Duration.ofSeconds(10)).until(() -> !all("#schedules tr[data-schedule='heartbeat']").isEmpty());
        assertThat(find("#schedules tr[data-schedule='heartbeat']").getText()).contains("heartbeat", "every 1m", "UTC");
        assertThat(find("#health").getText()).isEqualTo("engine UP");
        // who you are and your role: the bootstrap token is an admin's, so every button and the Tokens page are offered
        assertThat(find("#who").getText()).isEqualTo("token:bootstrap admin");
        assertThat(find("#nav-tokens").isDisplayed()).isTrue();
        // the token is kept in the tab's session storage, not in a cookie or local storage
        assertThat(((ChromeDriver) browser).executeScript("return sessionStorage.getItem('runbook.token')")).isEqualTo(TestEngine.TOKEN);
        assertThat(((ChromeDriver) browser).executeScript("return localStorage.length")).isEqualTo(0L);

        // incidents and windows panels show only where the engine serves them
        assertThat(find("#incidents-panel").isDisplayed())
                .isEqualTo(TestEngine.get(engine, "/api/incidents?open=true").statusCode() == 200);
        assertThat(find("#windows-panel").isDisplayed())
                .isEqualTo(TestEngine.get(engine, "/api/windows").statusCode() == 200);

        // run now asks first; dismissing starts nothing
        find("button.run-now[data-job='echo-parameters']").click();
        assertThat(browser.switchTo().alert().getText()).isEqualTo("Run echo-parameters now?");
        browser.switchTo().alert().dismiss();
        assertThat(engine.runs().list("echo-parameters", 10).stream().map(RunRecord::json).toList()).isEmpty();

        find("button.run-now[data-job='echo-parameters']").click();
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.runs().list("echo-parameters", 10).size() == 1);
        long runId = (Long) engine.runs().list("echo-parameters", 10).stream().map(RunRecord::json).toList().get(0).get("id");
        // the tables are re-rendered every 5 s: an element found just before a refresh may go stale, so look again
        await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                .until(() -> all("#runs tr[data-run='" + runId + "']").size() == 1
                && find("#runs tr[data-run='" + runId + "']").getText().contains("succeeded"));
        assertThat(find("#runs tr[data-run='" + runId + "']").getText()).contains("echo-parameters", "manual");
        assertThat(find("#message").getText()).isEqualTo("Run " + runId + " of echo-parameters started");
        await().atMost(Duration.ofSeconds(15)).ignoreException(StaleElementReferenceException.class)
                .until(() -> find("#jobs tr[data-job='echo-parameters']").getText().contains("succeeded"));

        // every history row opens its run's page, and the console comes back
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class).until(() -> {
            find("#runs tr[data-run='" + runId + "'] a.run-link").click();
            return true;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-page").isDisplayed()
                && find("#run-title").getText().equals("Run " + runId + " of echo-parameters"));
        assertThat(browser.getCurrentUrl()).endsWith("/#run/" + runId);
        assertThat(find("#console").isDisplayed()).isFalse();
        browser.navigate().back();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#console").isDisplayed());

        // rehearse asks first, saying that nothing will be performed; dismissing starts nothing
        int runsBefore = engine.runs().list("echo-parameters", 10).size();
        find("button.rehearse[data-job='echo-parameters']").click();
        assertThat(browser.switchTo().alert().getText())
                .isEqualTo("Rehearse echo-parameters? A dry run performs no side effect; it shows what a real run would do.");
        browser.switchTo().alert().dismiss();
        assertThat(engine.runs().list("echo-parameters", 10)).hasSize(runsBefore);

        // a refused edit shows up with file:line in the reload panel
        Files.writeString(base.resolve("schedules/heartbeat.yaml"), "job: heartbeat\nevery: 60s\nzone: Mars/Olympus\n");
        await().atMost(Duration.ofSeconds(15)).until(() -> find("#reload").getText().contains("refused"));
        assertThat(find("#reload").getText()).contains("schedules/heartbeat.yaml:3:");

        // the session survives a page reload
        browser.navigate().refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#jobs tr[data-job]").size() == jobCount);
        assertThat(find("#login").isDisplayed()).isFalse();

        screenshot("target/console.png");

        // incident and window rows as the alerts feature's API shapes them
        ((ChromeDriver) browser).executeScript("clearInterval(timer); $('incidents-panel').hidden = false; $('windows-panel').hidden = false;"
                + "renderIncidents([{id: 12, key: 'db-down', priority: 'P1', status: 'open', title: 'Database down',"
                + " openedAt: '2026-11-26T10:15:30Z', acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, duringMaintenance: false},"
                + " {id: 13, key: 'disk', priority: 'P4', status: 'acknowledged', title: 'Disk 80%', openedAt: '2026-11-26T10:00:00Z',"
                + " acknowledgedAt: '2026-11-26T10:05:00Z', acknowledgedBy: 'bob', resolvedAt: null, duringMaintenance: true},"
                + " {id: 14, key: 'BackupFailed/engine-db', priority: 'P2', status: 'open', title: 'BackupFailed: engine-db',"
                + " detail: 'The backup of engine-db failed in run 42: bucket not found', openedAt: '2026-11-26T02:00:05Z',"
                + " acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, duringMaintenance: false}]);"
                + "renderWindows([{job: 'sunday-maintenance', start: '2026-11-29T02:00:00Z', end: '2026-11-29T04:00:00Z', open: true}]);");
        assertThat(find("#incidents tr[data-incident='12']").getText()).isEqualTo("12 P1 open 2026-11-26 10:15:30Z Database down - Acknowledge");
        assertThat(find("#incidents tr[data-incident='13']").getText())
                .isEqualTo("13 P4 acknowledged 2026-11-26 10:00:00Z Disk 80% (during maintenance: muted) bob at 2026-11-26 10:05:00Z");
        // an incident a run opened links to that run's page
        assertThat(find("#incidents tr[data-incident='14']").getText())
                .isEqualTo("14 P2 open 2026-11-26 02:00:05Z BackupFailed: engine-db (run 42) - Acknowledge");
        assertThat(find("#incidents tr[data-incident='14'] a.run-link").getAttribute("href")).endsWith("/#run/42");
        assertThat(((ChromeDriver) browser).executeScript("return [incidentRun({id: 1, title: 'x', runId: 7}),"
                + " incidentRun({id: 2, title: 'x', labels: {run: '8'}}), incidentRun({id: 3, title: 'Disk 80%', detail: 'no run'})]"))
                .isEqualTo(java.util.Arrays.asList("7", "8", null));
        assertThat(all("button.ack")).hasSize(2);
        assertThat(find("#windows").getText()).isEqualTo("sunday-maintenance 2026-11-29 02:00:00Z 2026-11-29 04:00:00Z open now");

        screenshot("target/console-incidents.png");

        // the engine goes away: the page says so instead of showing stale data silently
        engine.close();
        engine = null;
        ((ChromeDriver) browser).executeScript("refresh()");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#message").getText().equals("Engine unreachable; retrying every 5 s"));
        assertThat(find("#health").getText()).isEqualTo("engine DOWN");

        find("#logout").click();
        assertThat(find("#login").isDisplayed()).isTrue();
        assertThat(((ChromeDriver) browser).executeScript("return sessionStorage.getItem('runbook.token')")).isNull();
    }

    @Test
    void refusedRunbookFilesAreListedInRedAtTheTop() throws Exception {
        if (engine == null) {   // the other test ends by stopping it
            engine = TestEngine.start(base, dir.resolve("data-refused"), Map.of());
        }
        Path broken = base.resolve("routes/console-broken.camel.yaml");
        Files.writeString(broken, "- route:\n    id: console-broken\n    from:\n      uri: direct:console-broken\n"
                + "      steps:\n        - lgo: x\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.runbooks().refusedFiles().contains("routes/console-broken.camel.yaml"));
        browser.get(TestEngine.base(engine) + "/");
        ((ChromeDriver) browser).executeScript("sessionStorage.setItem('runbook.token', arguments[0])", TestEngine.TOKEN);
        browser.navigate().refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#refused-panel").isDisplayed());
        WebElement file = find("#refused .refused-file[data-file='routes/console-broken.camel.yaml']");
        assertThat(file.getText()).contains("routes/console-broken.camel.yaml refused since ",
                "routes/console-broken.camel.yaml:6:");
        assertThat(find("#refused .file").getCssValue("color")).isEqualTo("rgba(207, 34, 46, 1)");
        // the first panel of the page
        assertThat(find("#console > section:not([hidden])").getAttribute("id")).isEqualTo("refused-panel");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#health").getText().equals("engine DEGRADED"));

        Files.delete(broken);
        // gone from the panel (the other test of this class may leave a schedule file refused)
        await().atMost(Duration.ofSeconds(15)).until(() -> all("#refused .refused-file[data-file='routes/console-broken.camel.yaml']").isEmpty());
        assertThat(find("#refused-panel").isDisplayed()).isEqualTo(!engine.runbooks().refusedFiles().isEmpty());
    }

    /** The console as the on-call person reaches it: with the token already in the tab. */
    void openConsole(String hash) {
        browser.get(TestEngine.base(engine) + "/");
        ((ChromeDriver) browser).executeScript("sessionStorage.setItem('runbook.token', arguments[0])", TestEngine.TOKEN);
        browser.get(TestEngine.base(engine) + "/" + hash);
        browser.navigate().refresh();
    }

    Object script(String js, Object... args) {
        return ((ChromeDriver) browser).executeScript(js, args);
    }

    long runAndWait(String job, String body) throws Exception {
        HttpResponse<String> started = TestEngine.post(engine, "/api/jobs/" + job + "/run", TestEngine.TOKEN, body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long id = new ObjectMapper().readTree(started.body()).get("runId").asLong();
        await().atMost(Duration.ofSeconds(15)).until(() -> !new ObjectMapper().readTree(
                TestEngine.get(engine, "/api/runs/" + id).body()).get("status").asText().equals("running"));
        return id;
    }

    /** A run page from the JSON of GET /api/runs/{id} as the contract shapes it: facts, params, plan, a bar per step. */
    @Test
    void aRunPageShowsTheRunItsPlanABarPerStepAndItsLog() throws Exception {
        if (engine == null) {   // the first test ends by stopping it
            engine = TestEngine.start(base, dir.resolve("data-run-page"), Map.of());
        }
        long id = runAndWait("story-demo", "{\"region\": \"ap-south\"}");
        openConsole("#run/" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-page").isDisplayed()
                && find("#run-title").getText().equals("Run " + id + " of story-demo"));
        assertThat(find("#console").isDisplayed()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-status").getText().equals("succeeded"));
        String facts = find("#run-facts").getText();
        assertThat(facts).contains("TRIGGER\nmanual", "NODE\n", "DURATION\n");
        assertThat(find("#run-params tr[data-param='region']").getText()).isEqualTo("region ap-south");
        assertThat(find("#run-plan-panel").isDisplayed()).isFalse();   // a real run has no plan
        assertThat(find("#run-dry").isDisplayed()).isFalse();

        // an unknown run says so
        browser.get(TestEngine.base(engine) + "/#run/987654");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-missing").isDisplayed());
        assertThat(find("#run-missing").getText()).isEqualTo("No run with id 987654.");
        assertThat(find("#run-timeline-panel").isDisplayed()).isFalse();

        // a dry run with its steps and plan, as GET /api/runs/{id} answers it
        // the address first, and the page's own answer for it (no such run) before the sample replaces it
        script("clearInterval(timer); location.hash = '#run/9043';");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-missing").getText().equals("No run with id 9043."));
        script("clearTimeout(log.polling); renderRun(arguments[0]);", new ObjectMapper().readValue(("{'id': 9043,"
                + " 'job': 'nightly-backup', 'trigger': 'dry-run', 'node': 'node-a', 'startedAt': '2026-12-06T02:00:00Z',"
                + " 'finishedAt': '2026-12-06T02:00:02Z', 'durationMs': 2000, 'status': 'succeeded', 'error': null,"
                + " 'attempt': 1, 'scheduledFor': null, 'scheduleId': null, 'params': {'source': 'engine-db'}, 'dryRun': true,"
                + " 'steps': [{'seq': 1, 'node': 'dump', 'kind': 'bean', 'uri': 'bean:backups?method=run',"
                + " 'source': 'routes/nightly-backup.camel.yaml:12', 'startedAt': '2026-12-06T02:00:00Z', 'durationMs': 1500,"
                + " 'outcome': 'ok', 'count': 1}, {'seq': 2, 'node': 'mail', 'kind': 'to', 'uri': 'smtp://mail:25?password=xxxxxx',"
                + " 'source': 'routes/nightly-backup.camel.yaml:20', 'startedAt': '2026-12-06T02:00:01.500Z', 'durationMs': 500,"
                + " 'outcome': 'rehearsed', 'count': 3}],"
                + " 'plan': [{'kind': 's3', 'effect': 'delete s3://bucket/backups/engine-db/2026-11-02/x.gz (retention)'},"
                + " {'kind': 'email', 'effect': 'email to ops@example.com: subject Backup done'}], 'log': '/api/runs/9043/log'}")
                .replace('\'', '"'), Map.class));
        script("$('run-log').replaceChildren(); $('run-log-state').textContent = '';"
                + "['2026-12-06T02:00:00Z INFO nightly-backup - dumping engine-db',"
                + " '2026-12-06T02:00:01.5Z WARN nightly-backup - dry run: email to ops@example.com recorded, not sent']"
                + ".forEach((t, n) => $('run-log').append(el('div', {class: 'log-line ' + t.split(' ')[1], 'data-n': n}, t)));");
        assertThat(find("#run-title").getText()).isEqualTo("Dry run 9043 of nightly-backup");
        assertThat(find("#run-dry").getText()).isEqualTo("dry run: nothing was performed");
        assertThat(find("#run-plan-count").getText()).isEqualTo("what a real run would do, in order; nothing was performed");
        assertThat(all("#run-plan li.effect").stream().map(WebElement::getText).toList()).containsExactly(
                "S3 delete s3://bucket/backups/engine-db/2026-11-02/x.gz (retention)",
                "EMAIL email to ops@example.com: subject Backup done");
        assertThat(find("#run-steps-count").getText()).isEqualTo("2 steps; the bars lie on the run's 2.0 s");
        assertThat(find("#run-steps tr[data-step='2']").getText())
                .isEqualTo("2 mail to\nsmtp://mail:25?password=xxxxxx\nroutes/nightly-backup.camel.yaml:20\n500 ms rehearsed 3");
        // the bars lie on the run's span: the first from 0 for 75 %, the second from 75 % to the end
        assertThat(find("#run-steps tr[data-step='1'] .bar").getAttribute("style")).isEqualTo("left: 0%; width: 75%;");
        assertThat(find("#run-steps tr[data-step='2'] .bar").getAttribute("style")).isEqualTo("left: 75%; width: 25%;");
        assertThat(find("#run-steps tr[data-step='2'] .bar").getCssValue("background-color")).isEqualTo("rgba(130, 80, 223, 1)");
        // the log below the timeline
        assertThat(find("#run-log-panel").getLocation().getY()).isGreaterThan(find("#run-timeline-panel").getLocation().getY());

        Path shot = Path.of("target/console-run-page-sample.png").toAbsolutePath();
        screenshot(shot.toString());
        System.out.println("console run page (sample data) screenshot: " + shot);

        // back to the console
        find("#run-back").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#console").isDisplayed());
        assertThat(find("#run-page").isDisplayed()).isFalse();
    }

    /** The run page of real runs of the engine: every step a bar, every log line, the history's filters, Rehearse. */
    @Test
    void theRunPageOfARealRunAndOfARehearsal() throws Exception {
        if (engine == null) {   // the first test ends by stopping it
            engine = TestEngine.start(base, dir.resolve("data-real-run"), Map.of());
        }
        ObjectMapper json = new ObjectMapper();
        long id = runAndWait("story-demo", "{\"region\": \"ap-south\"}");
        JsonNode run = json.readTree(TestEngine.get(engine, "/api/runs/" + id).body());
        JsonNode log = json.readTree(TestEngine.get(engine, "/api/runs/" + id + "/log?format=json").body());
        assertThat(run.get("steps").size()).isGreaterThanOrEqualTo(4);
        openConsole("#run/" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#run-steps tr[data-step]").size() == run.get("steps").size()
                && all("#run-log .log-line").size() == log.get("lines").size());
        assertThat(all("#run-steps tr[data-step] .bar")).hasSize(run.get("steps").size());
        for (JsonNode step : run.get("steps")) {
            WebElement row = find("#run-steps tr[data-step='" + step.get("seq").asText() + "']");
            assertThat(row.getText()).contains(step.get("node").asText(), step.get("kind").asText(), step.get("outcome").asText());
            assertThat(row.findElements(By.cssSelector("td")).get(6).getText()).isEqualTo(step.get("count").asText());
        }
        assertThat(find("#run-log").getText()).contains("story-demo: telling the story of ap-south", "story-demo: item c");
        assertThat(find("#run-params tr[data-param='region']").getText()).isEqualTo("region ap-south");

        // a running run's page follows it: its log grows, its status changes, each line shown once
        HttpResponse<String> slow = TestEngine.post(engine, "/api/jobs/story-demo/run", TestEngine.TOKEN, "{\"pause\": \"2500\"}");
        long running = json.readTree(slow.body()).get("runId").asLong();
        browser.get(TestEngine.base(engine) + "/#run/" + running);
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#run-status").getText().equals("running")
                && find("#run-log").getText().contains("story-demo: item c"));
        assertThat(find("#run-log").getText()).doesNotContain("story-demo: the end");
        assertThat(find("#run-log-state").getText()).endsWith(", following the run");
        await().atMost(Duration.ofSeconds(15)).until(() -> find("#run-status").getText().equals("succeeded")
                && find("#run-log").getText().contains("story-demo: the end"));
        JsonNode ended = json.readTree(TestEngine.get(engine, "/api/runs/" + running + "/log?format=json").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> all("#run-log .log-line").size() == ended.get("lines").size());
        assertThat(all("#run-log .log-line").stream().map(e -> e.getAttribute("data-n")).distinct().count())
                .isEqualTo(ended.get("lines").size());

        // the history's filters: only failed runs, only one job's
        assertThat(TestEngine.post(engine, "/api/jobs/echo-parameters/run", TestEngine.TOKEN, "{\"fail\": \"true\"}").statusCode())
                .isEqualTo(202);
        browser.get(TestEngine.base(engine) + "/#");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#console").isDisplayed() && !all("#runs tr[data-run]").isEmpty());
        new org.openqa.selenium.support.ui.Select(find("#runs-status")).selectByValue("failed");
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> !all("#runs tr[data-run]").isEmpty() && all("#runs tr[data-run]").stream()
                        .allMatch(r -> r.getText().contains("failed")));
        new org.openqa.selenium.support.ui.Select(find("#runs-status")).selectByValue("");
        new org.openqa.selenium.support.ui.Select(find("#runs-job")).selectByValue("story-demo");
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> all("#runs tr[data-run]").size() == 2 && all("#runs tr[data-run='" + id + "']").size() == 1
                        && all("#runs tr[data-run='" + running + "']").size() == 1);

        // Rehearse: a dry run, opened at once; its plan has the call it did not make
        find("button.rehearse[data-job='story-leak']").click();
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(15)).until(() -> browser.getCurrentUrl().matches(".*/#run/\\d+")
                && find("#run-page").isDisplayed() && find("#run-status").getText().equals("succeeded"));
        long dry = Long.parseLong(browser.getCurrentUrl().replaceAll(".*/#run/", ""));
        JsonNode rehearsal = json.readTree(TestEngine.get(engine, "/api/runs/" + dry).body());
        assertThat(rehearsal.get("trigger").asText()).isEqualTo("dry-run");
        assertThat(find("#run-title").getText()).isEqualTo("Dry run " + dry + " of story-leak");
        assertThat(find("#run-dry").isDisplayed()).isTrue();
        assertThat(rehearsal.get("plan")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#run-plan li.effect").size() == 1);
        assertThat(find("#run-plan li.effect").getText()).contains(rehearsal.get("plan").get(0).get("effect").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#run-steps tr[data-step]").size() == rehearsal.get("steps").size()
                && !all("#run-log .log-line").isEmpty());

        Path shot = Path.of("target/console-run-page.png").toAbsolutePath();
        screenshot(shot.toString());
        System.out.println("console run page screenshot: " + shot);
    }

    /** The engine the test uses: the first test stops the class's engine, so a later one starts its own. */
    Engine engine(String data) throws Exception {
        if (engine == null) {
            engine = TestEngine.start(base, dir.resolve(data), Map.of());
        }
        return engine;
    }

    /** A personal token made by the bootstrap admin through POST /api/tokens. */
    String createToken(String name, String role) throws Exception {
        HttpResponse<String> created = TestEngine.post(engine, "/api/tokens", TestEngine.TOKEN,
                "{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new ObjectMapper().readTree(created.body()).get("token").asText();
    }

    /** Logs in through the login form with {@code token}, from a fresh tab session. */
    void logInWith(String token) {
        browser.get(TestEngine.base(engine) + "/");
        script("sessionStorage.clear()");
        browser.navigate().refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#login").isDisplayed());
        find("#token").sendKeys(token);
        find("#login-button").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#console").isDisplayed() && !find("#who").getText().isEmpty());
    }

    /** An open incident raised through the generic webhook (the bootstrap token is its credential on a default engine). */
    long openIncident(String key) throws Exception {
        HttpResponse<String> alert = TestEngine.post(engine, "/webhooks/generic", TestEngine.TOKEN,
                "{\"title\": \"Disk almost full\", \"priority\": \"P3\", \"key\": \"" + key + "\"}");
        assertThat(alert.statusCode()).as(alert.body()).isBetween(200, 299);
        return new ObjectMapper().readTree(alert.body()).get("incidents").get(0).asLong();
    }

    /** The role each job needs to run, as GET /api/jobs says (operator when it says nothing). */
    Map<String, String> jobRoles() throws Exception {
        Map<String, String> roles = new java.util.TreeMap<>();
        for (JsonNode job : new ObjectMapper().readTree(TestEngine.get(engine, "/api/jobs").body())) {
            roles.put(job.get("id").asText(), job.path("role").asText("operator"));
        }
        return roles;
    }

    /**
     * A viewer reads everything and is offered no button; an operator runs, rehearses and acknowledges, but is not
     * offered Run now on a job that needs admin; neither sees the Tokens page.
     */
    @Test
    void eachRoleIsOfferedOnlyTheButtonsItMayUse() throws Exception {
        engine("data-roles");
        String viewer = createToken("vera", "viewer");
        String operator = createToken("otto", "operator");
        long incident = openIncident("console-roles");
        Map<String, String> roles = jobRoles();

        logInWith(viewer);
        assertThat(find("#who").getText()).isEqualTo("token:vera viewer");
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#jobs tr[data-job]").size() == roles.size()
                && !all("#incidents tr[data-incident='" + incident + "']").isEmpty());
        roles.forEach((job, role) -> assertThat(find("#jobs tr[data-job='" + job + "'] td.role").getText()).isEqualTo(role));
        assertThat(all("button.run-now")).isEmpty();
        assertThat(all("button.rehearse")).isEmpty();
        assertThat(all("button.ack")).isEmpty();
        assertThat(find("#nav-tokens").isDisplayed()).isFalse();
        assertThat(find("#nav-audit").isDisplayed()).isTrue();
        Path shot = Path.of("target/console-viewer.png").toAbsolutePath();
        screenshot(shot.toString());
        System.out.println("a viewer's console screenshot: " + shot);
        // the tokens page is an admin's: a viewer who types its address gets the console
        browser.get(TestEngine.base(engine) + "/#tokens");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#console").isDisplayed());
        assertThat(find("#tokens-page").isDisplayed()).isFalse();

        find("#logout").click();
        logInWith(operator);
        assertThat(find("#who").getText()).isEqualTo("token:otto operator");
        await().atMost(Duration.ofSeconds(10)).until(() -> all("#jobs tr[data-job]").size() == roles.size()
                && !all("#incidents tr[data-incident='" + incident + "']").isEmpty());
        roles.forEach((job, role) -> {
            assertThat(all("button.run-now[data-job='" + job + "']")).as(job + " needs " + role).hasSize(role.equals("admin") ? 0 : 1);
            assertThat(all("button.rehearse[data-job='" + job + "']")).as(job).hasSize(1);
        });
        assertThat(all("button.ack[data-incident='" + incident + "']")).hasSize(1);
        assertThat(find("#nav-tokens").isDisplayed()).isFalse();
        screenshot("target/console-operator.png");
    }

    /** An admin's Tokens page: create (the token shown once, and it works), list, revoke (it stops at once). */
    @Test
    void anAdminCreatesAndRevokesATokenAndARevokedTokenIsLoggedOutAtOnce() throws Exception {
        engine("data-tokens");
        openConsole("#tokens");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#tokens-page").isDisplayed());
        assertThat(find("#nav-tokens").getAttribute("class")).isEqualTo("current");
        find("#token-name").sendKeys("tina");
        new org.openqa.selenium.support.ui.Select(find("#token-role")).selectByValue("viewer");
        find("#token-create").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#token-created").isDisplayed());
        assertThat(find("#token-created").getText()).contains("Token for tina (viewer): ", "Copy it now: it will not be shown again.");
        String tina = find("#token-created-value").getText();
        JsonNode who = new ObjectMapper().readTree(TestEngine.get(engine, "/api/auth", tina).body());
        assertThat(who.get("actor").asText()).isEqualTo("token:tina");
        assertThat(who.get("role").asText()).isEqualTo("viewer");
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> find("#tokens tr[data-token='tina']").getText().contains("active"));
        assertThat(find("#tokens tr[data-token='tina']").getText()).contains("tina viewer active", "token:bootstrap", "never");
        assertThat(find("#tokens").getText()).doesNotContain(tina);
        screenshot("target/console-tokens.png");
        // shown once: Done (or a reload) clears it
        find("#token-created-done").click();
        assertThat(find("#token-created").isDisplayed()).isFalse();
        assertThat(browser.getPageSource()).doesNotContain(tina);

        // a name taken: the engine's refusal, shown
        find("#token-name").sendKeys("tina");
        find("#token-create").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !find("#token-error").getText().isEmpty());
        assertThat(find("#token-error").getText())
                .isEqualTo("Not created: token 'tina' already exists and is active: revoke it first (runbook token revoke tina)");

        // revoke asks first; then the token stops at once
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class).until(() -> {
            find("button.revoke[data-token='tina']").click();
            return true;
        });
        assertThat(browser.switchTo().alert().getText()).isEqualTo("Revoke the token of tina? It stops working at once.");
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> find("#tokens tr[data-token='tina']").getText().contains("revoked"));
        assertThat(all("button.revoke[data-token='tina']")).isEmpty();
        assertThat(TestEngine.get(engine, "/api/auth", tina).statusCode()).isEqualTo(401);

        // a console open with a token revoked meanwhile goes back to the login at its next request, saying why
        String rita = createToken("rita", "operator");
        logInWith(rita);
        assertThat(TestEngine.post(engine, "/api/tokens/rita/revoke", TestEngine.TOKEN, "").statusCode()).isEqualTo(200);
        script("refresh()");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#login").isDisplayed());
        assertThat(find("#login-error").getText()).matches("The engine refused the token \\(token 'rita' was revoked at \\S+\\); log in again\\.");
        assertThat(script("return sessionStorage.getItem('runbook.token')")).isNull();
    }

    /**
     * The audit view: the engine's entries, filtered by action and actor as GET /api/audit filters them; Verify shows
     * the chain's verdict, intact, then broken at the entry a direct SQL update altered.
     */
    @Test
    void theAuditViewFiltersTheTrailAndVerifiesTheChain() throws Exception {
        engine("data-audit");
        ObjectMapper json = new ObjectMapper();
        createToken("ann", "operator");
        createToken("ben", "viewer");
        assertThat(TestEngine.post(engine, "/api/tokens/ben/revoke", TestEngine.TOKEN, "").statusCode()).isEqualTo(200);
        JsonNode all = json.readTree(TestEngine.get(engine, "/api/audit?limit=200").body());
        assertThat(all.size()).isGreaterThanOrEqualTo(3);

        openConsole("#audit");
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#audit-page").isDisplayed() && all("#audit tr[data-seq]").size() == all.size());
        assertThat(find("#console").isDisplayed()).isFalse();
        assertThat(find("#nav-audit").getAttribute("class")).isEqualTo("current");
        // newest first, as the engine answers
        assertThat(all("#audit tr[data-seq]").get(0).getAttribute("data-seq")).isEqualTo(all.get(0).get("seq").asText());
        JsonNode revoked = json.readTree(TestEngine.get(engine, "/api/audit?action=token.revoked").body());
        assertThat(revoked.get(0).get("subject").asText()).isEqualTo("token ben");   // the class's other tests may revoke too
        String seq = revoked.get(0).get("seq").asText();
        WebElement row = find("#audit tr[data-seq='" + seq + "']");
        assertThat(row.findElement(By.cssSelector("td.actor")).getText()).isEqualTo("token:bootstrap");
        assertThat(row.findElement(By.cssSelector("td.action")).getText()).isEqualTo("token.revoked");
        assertThat(row.findElement(By.cssSelector("td.hash")).getText()).isEqualTo(revoked.get(0).get("hash").asText().substring(0, 12));

        // filters: an action, then an actor nobody is
        new org.openqa.selenium.support.ui.Select(find("#audit-action")).selectByValue("token.revoked");
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> all("#audit tr[data-seq]").size() == revoked.size() && all("#audit tr[data-seq='" + seq + "']").size() == 1
                        && all("#audit td.action").stream().allMatch(a -> a.getText().equals("token.revoked")));
        new org.openqa.selenium.support.ui.Select(find("#audit-action")).selectByValue("");
        find("#audit-actor").sendKeys("nobody");
        find("#audit-apply").click();
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> find("#audit").getText().equals("No entry matches these filters."));
        find("#audit-actor").clear();
        find("#audit-actor").sendKeys("bootstrap");
        find("#audit-apply").click();
        int byBootstrap = json.readTree(TestEngine.get(engine, "/api/audit?actor=bootstrap&limit=200").body()).size();
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .until(() -> all("#audit tr[data-seq]").size() == byBootstrap);

        // Verify: intact
        find("#audit-verify").click();
        JsonNode verdict = json.readTree(TestEngine.get(engine, "/api/audit/verify").body());
        assertThat(verdict.get("ok").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#audit-verdict").getText().startsWith("Chain intact"));
        assertThat(find("#audit-verdict").getText()).isEqualTo("Chain intact: " + verdict.get("entries").asInt() + " entries, head "
                + verdict.get("head").asText().substring(0, 12));
        assertThat(find("#audit-verdict").getCssValue("color")).isEqualTo("rgba(26, 127, 55, 1)");
        Path shot = Path.of("target/console-audit.png").toAbsolutePath();
        screenshot(shot.toString());
        System.out.println("audit view screenshot: " + shot);

        // an entry altered by hand: Verify names it, as the engine does
        try (java.sql.Connection c = engine.dataSource().getConnection();
             java.sql.PreparedStatement update = c.prepareStatement("update audit_entry set actor = 'token:mallory' where seq = ?")) {
            update.setLong(1, Long.parseLong(seq));
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        JsonNode broken = json.readTree(TestEngine.get(engine, "/api/audit/verify").body());
        assertThat(broken.get("ok").asBoolean()).isFalse();
        find("#audit-verify").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("#audit-verdict").getText().startsWith("Chain broken"));
        assertThat(find("#audit-verdict").getText()).isEqualTo("Chain broken at entry " + broken.get("problem").get("seq").asText()
                + " (" + broken.get("problem").get("kind").asText() + "): " + broken.get("problem").get("message").asText());
        assertThat(find("#audit-verdict").getCssValue("color")).isEqualTo("rgba(207, 34, 46, 1)");
        screenshot("target/console-audit-broken.png");
    }
}
