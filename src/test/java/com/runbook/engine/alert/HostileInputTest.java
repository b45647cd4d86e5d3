package com.runbook.engine.alert;

import com.runbook.engine.core.RunRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.text.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static com.runbook.engine.TestEngine.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A battery of hostile and malformed requests against every webhook and the API, one row each with the status
 * it must get. None gets a 5xx; every 4xx carries a message; a refused request stores nothing (alert_event, incident,
 * job_run, notification are counted before and after); an accepted over-long or odd value is stored within its
 * column, cut with {@link Text#MARK}. Tagged db: it runs on H2 and again on PostgreSQL. (Cloud Monitoring has no
 * HTTP door: it comes from Pub/Sub, see CloudMonitoringTest.)
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String GRAFANA_TOKEN = "grafana-token";
    private static final String GRAFANA_SECRET = "grafana-secret";
    private static final String GENERIC_SECRET = "generic-secret";
    private static final String MISSING = "missing credentials: send Authorization: Bearer <token> or an HMAC-SHA256"
            + " signature (X-Hub-Signature-256 or X-Grafana-Alerting-Signature)";
    private static final String NO_BEARER = "missing bearer token (Authorization: Bearer <token>)";
    private static final List<String> GUARDED = List.of("emergency-stop", "trading-resume", "dns-failover", "dns-rollback");
    /** Every header name the engine, its routes or Camel components read, tried as a label. */
    private static final List<String> ENGINE_HEADERS = List.of("runbook", "Runbook", "RUNBOOK", "RunbookRunId",
            "RunbookTrigger", "runbooktrigger", "RunbookIncidentId", "CamelHttpUri", "camelhttpuri", "CamelHttpMethod",
            "CamelHttpPath", "CamelHttpQuery", "CamelHttpResponseCode", "CamelGooglePubsubMessageId",
            "CamelGooglePubsubAttributes", "CamelTelegramChatId", "CamelFileName", "TradingDay", "CommissionSkipped",
            "Content-Type", "Authorization", "X-Hub-Signature-256", "target", "force", "dryRun", "reason", "confirm");
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    static Path dir;
    Engine engine;
    JdbcTemplate db;

    /** What the engine must answer, and for an accepted request what must have been stored. */
    @FunctionalInterface
    interface Stored {
        void check(HostileInputTest test, JsonNode answer) throws Exception;
    }

    /**
     * One row: {@code error} is the exact message, or its start and end around a "*"; {@code stored} (accepted rows
     * only) checks what was written.
     */
    record Case(String name, String method, String path, List<String> headers, byte[] body, int status, String error,
                Stored stored) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        try (Stream<Path> schedules = Files.list(base.resolve("schedules"))) {
            for (Path p : schedules.toList()) {
                Files.delete(p);   // nothing scheduled: the row counts move only by the requests
            }
        }
        // a job that reports the headers it was started with, as its error; routed from HeaderProbe alerts
        Files.writeString(base.resolve("routes/header-probe.camel.yaml"), """
                - route:
                    id: header-probe
                    from:
                      uri: direct:header-probe
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "trigger=${header.RunbookTrigger} runId=${header.RunbookRunId} incident=${header.RunbookIncidentId} uri=${header.CamelHttpUri} region=${header.region}"
                """);
        Path routing = base.resolve("routes/alert-routing.camel.yaml");
        Files.writeString(routing, Files.readString(routing).replace("            when:\n", String.join("\n",
                "            when:",
                "              - simple: \"${body[alertname]} == 'HeaderProbe'\"",
                "                steps:",
                "                  - setHeader: {name: runbook, constant: header-probe}",
                "              - simple: \"${body[alertname]} == 'CopiesItsJob'\"",
                "                steps:",
                "                  - setHeader: {name: runbook, simple: \"${body[job]}\"}",
                "")));
        engine = TestEngine.start(base, dir.resolve("data"), Map.of(
                "runbook.alert.grafana.token", GRAFANA_TOKEN,
                "runbook.alert.grafana.hmac-secret", GRAFANA_SECRET,
                "runbook.alert.generic.hmac-secret", GENERIC_SECRET));
        db = new JdbcTemplate(engine.dataSource());
    }

    @AfterAll
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    private long count(String table) {
        return db.queryForObject("select count(*) from " + table, Long.class);
    }

    private List<Long> counts() {
        return List.of(count("alert_event"), count("incident"), count("job_run"), count("notification"));
    }

    // ---- the table ----------------------------------------------------------------------------------------------

    static Stream<Case> battery() {
        List<Case> cases = new ArrayList<>();
        for (String source : List.of("alertmanager", "grafana", "generic")) {
            webhookCases(source, cases);
        }
        apiCases(cases);
        return cases.stream();
    }

    private static String token(String source) {
        return source.equals("grafana") ? GRAFANA_TOKEN : TOKEN;
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    /** A valid body of the source for one firing alert. */
    private static String valid(String source, Map<String, String> labels, Map<String, String> annotations, String fingerprint) {
        if (source.equals("generic")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("title", annotations.getOrDefault("summary", labels.get("alertname")));
            body.put("key", fingerprint);
            if (annotations.containsKey("description")) {
                body.put("detail", annotations.get("description"));
            }
            Map<String, String> rest = new LinkedHashMap<>(labels);
            rest.remove("alertname");
            body.put("labels", rest);
            return json(body);
        }
        Map<String, Object> alert = new LinkedHashMap<>(Payloads.alert("firing", fingerprint, labels));
        if (!annotations.isEmpty()) {
            alert.put("annotations", annotations);
        }
        return Payloads.alertmanager(List.of(alert));
    }

    private static String valid(String source) {
        String fp = unique("fp");
        return valid(source, Map.of("alertname", "Battery_" + fp, "severity", "info"), Map.of(), fp);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Case refused(String name, String method, String path, List<String> headers, String body, int status,
                                String error) {
        return new Case(name, method, path, headers, utf8(body), status, error, null);
    }

    private static Case accepted(String name, String method, String path, List<String> headers, String body, int status,
                                 Stored stored) {
        return new Case(name, method, path, headers, utf8(body), status, null, stored);
    }

    private static List<String> bearer(String token) {
        return List.of("Authorization", "Bearer " + token);
    }

    private static String nested(int depth) {
        return "{\"alerts\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private static void webhookCases(String source, List<Case> cases) {
        String path = "/webhooks/" + source;
        String tok = token(source);
        String body = valid(source);
        String hubSig = "sha256=" + WebhookAuth.sign(source.equals("grafana") ? GRAFANA_SECRET : GENERIC_SECRET, utf8(body));
        String at = source + ": ";
        // credentials anywhere but the Authorization and signature headers
        cases.add(refused(at + "no credentials", "POST", path, List.of(), body, 401, MISSING));
        cases.add(refused(at + "token in the query", "POST", path + "?Authorization=" + q("Bearer " + tok), List.of(), body, 401, MISSING));
        cases.add(refused(at + "token in a lower-case query name", "POST", path + "?authorization=" + q("Bearer " + tok), List.of(), body, 401, MISSING));
        cases.add(refused(at + "token twice in the query", "POST", path + "?Authorization=" + q("Bearer " + tok)
                + "&Authorization=" + q("Bearer " + tok), List.of(), body, 401, MISSING));
        cases.add(refused(at + "hub signature in the query", "POST", path + "?X-Hub-Signature-256=" + q(hubSig), List.of(), body, 401, MISSING));
        cases.add(refused(at + "grafana signature in the query", "POST", path + "?X-Grafana-Alerting-Signature="
                + q(hubSig.substring(7)), List.of(), body, 401, MISSING));
        cases.add(refused(at + "token as a form field", "POST", path, List.of("Content-Type", "application/x-www-form-urlencoded"),
                "Authorization=" + q("Bearer " + tok) + "&alerts=x", 415, "the body must be JSON sent with Content-Type:"
                        + " application/json (curl: -H 'Content-Type: application/json'), not application/x-www-form-urlencoded"));
        String formRefused = "the body must be JSON sent with Content-Type: application/json (curl: -H 'Content-Type:"
                + " application/json'), not ";
        List<String> form = List.of("Content-Type", "application/x-www-form-urlencoded");
        cases.add(refused(at + "token as a lower-case form field", "POST", path, form, "authorization=" + q("Bearer " + tok),
                415, formRefused + "application/x-www-form-urlencoded"));
        cases.add(refused(at + "signatures as form fields", "POST", path, form, "X-Hub-Signature-256=" + q(hubSig)
                + "&X-Grafana-Alerting-Signature=" + q(hubSig.substring(7)), 415, formRefused + "application/x-www-form-urlencoded"));
        cases.add(refused(at + "token and a JSON type as form fields", "POST", path, form, "Content-Type="
                + q("application/json") + "&Authorization=" + q("Bearer " + tok), 415, formRefused + "application/x-www-form-urlencoded"));
        cases.add(refused(at + "token as a form field, form type in upper case", "POST", path, List.of("Content-Type",
                "APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8"), "Authorization=" + q("Bearer " + tok), 415,
                formRefused + "APPLICATION/X-WWW-FORM-URLENCODED"));
        cases.add(refused(at + "wrong token", "POST", path, bearer("wrong"), body, 401, "invalid bearer token"));
        cases.add(refused(at + "token with a suffix", "POST", path, bearer(tok + "x"), body, 401, "invalid bearer token"));
        cases.add(refused(at + "empty bearer", "POST", path, List.of("Authorization", "Bearer "), body, 401, "invalid bearer token"));
        cases.add(refused(at + "Basic scheme", "POST", path, List.of("Authorization", "Basic " + tok), body, 401, MISSING));
        cases.add(refused(at + "no scheme", "POST", path, List.of("Authorization", tok), body, 401, MISSING));
        cases.add(refused(at + "Bearer glued to the token", "POST", path, List.of("Authorization", "Bearer" + tok), body, 401, MISSING));
        cases.add(refused(at + "token of another source", "POST", path, bearer(source.equals("grafana") ? TOKEN : GRAFANA_TOKEN),
                body, 401, "invalid bearer token"));
        // signatures
        boolean signed = !source.equals("alertmanager");   // alertmanager has no secret: a signature does not count
        String sigError = signed ? "invalid signature" : MISSING;
        cases.add(refused(at + "zero signature", "POST", path, List.of("X-Hub-Signature-256", "sha256=" + "0".repeat(64)), body, 401, sigError));
        cases.add(refused(at + "signature of another body", "POST", path, List.of("X-Hub-Signature-256", hubSig), body + " ", 401,
                sigError));
        cases.add(refused(at + "empty signature", "POST", path, List.of("X-Hub-Signature-256", "sha256="), body, 401, sigError));
        for (String ts : List.of("9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e10", "abc",
                "0", Long.toString(Instant.now().getEpochSecond() - 3600))) {
            String error = !signed ? MISSING : ts.equals("99999999999999999999") || ts.equals("1e10") || ts.equals("abc")
                    ? "invalid signature timestamp (unix seconds expected)"
                    : "signature timestamp outside the 5 minute window (replay refused)";
            String sig = WebhookAuth.sign(source.equals("grafana") ? GRAFANA_SECRET : GENERIC_SECRET, utf8(ts + ":" + body));
            cases.add(refused(at + "signature timestamp " + ts, "POST", path, List.of("X-Grafana-Alerting-Signature", sig,
                    "X-Grafana-Alerting-Signature-Timestamp", ts), body, 401, error));
        }
        // the scheme in any case (accepted)
        for (String scheme : List.of("bearer", "BEARER", "bEaReR")) {
            cases.add(accepted(at + "scheme " + scheme, "POST", path, List.of("Authorization", scheme + " " + tok),
                    valid(source), 202, HostileInputTest::oneEventStored));
        }
        // malformed JSON
        List<String> auth = bearer(tok);
        cases.add(refused(at + "empty body", "POST", path, auth, "", 400, "request body must be a JSON object"));
        cases.add(refused(at + "null", "POST", path, auth, "null", 400, "request body must be a JSON object"));
        cases.add(refused(at + "a string", "POST", path, auth, "\"x\"", 400, "request body must be a JSON object"));
        cases.add(refused(at + "unclosed object", "POST", path, auth, "{", 400, "malformed JSON at line 1, column 2: *"));
        cases.add(refused(at + "trailing garbage", "POST", path, auth, body + " }}garbage", 400, "malformed JSON*"));
        cases.add(refused(at + "a second document", "POST", path, auth, body + body, 400, "malformed JSON*"));
        cases.add(refused(at + "trailing comma", "POST", path, auth, body.substring(0, body.length() - 1) + ",}", 400, "malformed JSON*"));
        cases.add(refused(at + "single quotes", "POST", path, auth, "{'alerts':[]}", 400, "malformed JSON*"));
        cases.add(refused(at + "a name twice", "POST", path, auth, source.equals("generic")
                ? "{\"title\":\"a\",\"labels\":{\"alertname\":\"A\",\"alertname\":\"RegionDown\"}}"
                : "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"alertname\":\"RegionDown\"}}]}",
                400, "malformed JSON*Duplicate field 'alertname'"));
        cases.add(refused(at + "comments", "POST", path, auth, "/* x */" + body, 400, "malformed JSON*"));
        cases.add(refused(at + "nesting 65", "POST", path, auth, nested(64), 400,
                "malformed JSON: Document nesting depth (65) exceeds the maximum allowed (64)"));
        cases.add(refused(at + "nesting 1,001", "POST", path, auth, nested(1000), 400, "malformed JSON*"));
        cases.add(refused(at + "nesting 100,000", "POST", path, auth, nested(100_000), 400, "malformed JSON*"));
        cases.add(refused(at + "raw NUL byte in a string", "POST", path, auth, body.replaceFirst("Battery_", "Bat\0tery_"), 400,
                "malformed JSON*"));
        cases.add(new Case(at + "invalid UTF-8", "POST", path, auth, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3,
                (byte) 0x28, '"', '}'}, 400, "malformed JSON*", null));
        cases.add(refused(at + "a number of 5,000 digits", "POST", path, auth, "{\"alerts\":" + "9".repeat(5000) + "}", 400,
                "malformed JSON*: Number value length (5000) exceeds the maximum allowed (1000)"));
        cases.add(refused(at + "a body over 1 MiB", "POST", path, auth, "{\"x\":\"" + "x".repeat(1024 * 1024) + "\"}", 413, "*"));
        if (source.equals("generic")) {
            cases.add(refused(at + "labels not strings", "POST", path, auth, "{\"title\":\"x\",\"labels\":{\"a\":{\"b\":1}}}", 400,
                    "labels.a: must be a string"));
            cases.add(refused(at + "priority out of range", "POST", path, auth, "{\"title\":\"x\",\"priority\":\"P0\"}", 400,
                    "priority: must be one of P1, P2, P3, P4 (was 'P0')"));
            cases.add(refused(at + "an unknown control field", "POST", path, auth, "{\"title\":\"x\",\"runbook\":\"trading-resume\"}",
                    400, "runbook: unknown field (known: title, status, priority, severity, key, detail, labels)"));
        } else {
            cases.add(refused(at + "alerts not an array", "POST", path, auth, "{\"alerts\":\"x\"}", 400, "alerts: must be an array"));
            cases.add(refused(at + "1,001 alerts", "POST", path, auth, "{\"alerts\":[" + String.join(",",
                    java.util.Collections.nCopies(1001, "{}")) + "]}", 400, "alerts: at most 1000 per request (was 1001)"));
            cases.add(refused(at + "labels not strings", "POST", path, auth, "{\"alerts\":[{\"status\":\"firing\",\"labels\":"
                    + "{\"alertname\":\"A\",\"a\":[1]}}]}", 400, "alerts[0].labels.a: must be a string"));
            for (String bad : List.of("{\"status\":\"firing\",\"labels\":{\"alertname\":\"Bad\",\"priority\":\"P0\"}}",
                    "{\"status\":\"pending\",\"labels\":{\"alertname\":\"Bad\"}}", "{\"status\":\"firing\"}", "7",
                    "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Bad\"},\"startsAt\":\"yesterday\"}")) {
                String fp1 = unique("fp");
                String fp2 = unique("fp");
                String good1 = json(Payloads.alert("firing", fp1, Map.of("alertname", "GoodP1_" + fp1, "priority", "P1")));
                String good2 = json(Payloads.alert("firing", fp2, Map.of("alertname", "GoodP2_" + fp2, "severity", "error")));
                cases.add(accepted(at + "one bad alert between two good ones: " + bad, "POST", path, auth,
                        "{\"version\":\"4\",\"alerts\":[" + good1 + "," + bad + "," + good2 + "]}", 202, (t, a) -> {
                            assertThat(a.get("accepted").asInt()).isEqualTo(2);
                            assertThat(a.get("refused")).hasSize(1);
                            assertThat(a.get("refused").get(0).asText()).startsWith("alerts[1]");
                            assertThat(t.db.queryForObject("select count(*) from alert_event where fingerprint in (?, ?)",
                                    Long.class, fp1, fp2)).isEqualTo(2);
                        }));
            }
            cases.add(refused(at + "priority label out of range", "POST", path, auth, "{\"alerts\":[{\"status\":\"firing\","
                    + "\"labels\":{\"alertname\":\"A\",\"priority\":\"P0\"}}]}", 400,
                    "alerts[0].labels.priority: must be one of P1, P2, P3, P4 (was 'P0')"));
        }
        // over-long and odd values: accepted, stored within the columns, marked
        String huge = "x".repeat(5000);
        String fp = unique("fp");
        cases.add(accepted(at + "summary 5,000", "POST", path, auth, valid(source, Map.of("alertname", unique("LongSummary")),
                Map.of("summary", huge), fp), 202, (t, a) -> t.titleCut(a, Text.TITLE)));
        cases.add(accepted(at + "summary at the limit", "POST", path, auth, valid(source, Map.of("alertname", unique("AtLimit")),
                Map.of("summary", "y".repeat(Text.TITLE)), unique("fp")), 202, (t, a) -> t.titleKept(a, "y".repeat(Text.TITLE))));
        cases.add(accepted(at + "summary one over the limit", "POST", path, auth, valid(source, Map.of("alertname",
                unique("OverLimit")), Map.of("summary", "z".repeat(Text.TITLE + 1)), unique("fp")), 202, (t, a) -> t.titleCut(a, Text.TITLE)));
        cases.add(accepted(at + "summary 990 with a P1 (page subject)", "POST", path, auth, valid(source, Map.of("alertname",
                unique("P1Long"), "priority", "P1"), Map.of("summary", "s".repeat(990)), unique("fp")), 202,
                (t, a) -> t.titleCut(a, Text.TITLE)));
        cases.add(accepted(at + "alertname 5,000", "POST", path, auth, valid(source, Map.of("alertname", "A" + huge),
                Map.of("summary", "long name"), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "alertname 484", "POST", path, auth, valid(source, Map.of("alertname", "B".repeat(484)),
                Map.of("summary", "long name"), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "fingerprint 5,000", "POST", path, auth, valid(source, Map.of("alertname", unique("LongFp")),
                Map.of(), "f" + huge + SEQ.incrementAndGet()), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "description 20,000", "POST", path, auth, valid(source, Map.of("alertname", unique("LongDetail")),
                Map.of("summary", "s", "description", "d".repeat(20_000)), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "label value 5,000", "POST", path, auth, valid(source, Map.of("alertname", unique("LongLabel"),
                "big", huge), Map.of(), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "label name 5,000", "POST", path, auth, valid(source, Map.of("alertname", unique("LongName"),
                huge, "v"), Map.of(), unique("fp")), 202, HostileInputTest::oneEventStored));
        Map<String, String> many = new LinkedHashMap<>();
        many.put("alertname", unique("ManyLabels"));
        for (int i = 0; i < 300; i++) {
            many.put("label" + i, "v".repeat(100));
        }
        cases.add(accepted(at + "300 labels of 100", "POST", path, auth, valid(source, many, Map.of(), unique("fp")), 202,
                HostileInputTest::oneEventStored));
        cases.add(accepted(at + "NUL in the summary", "POST", path, auth, valid(source, Map.of("alertname", unique("Nul")),
                Map.of("summary", "a\0b"), unique("fp")), 202, (t, a) -> t.titleKept(a, "a\\u0000b")));
        cases.add(accepted(at + "NUL in the alertname", "POST", path, auth, valid(source, Map.of("alertname", "N\0" + unique("ul")),
                Map.of("summary", "nul name"), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "NUL in a label", "POST", path, auth, valid(source, Map.of("alertname", unique("NulLabel"),
                "l\0", "v\0"), Map.of(), unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "NUL in the key", "POST", path, auth, valid(source, Map.of("alertname", unique("NulKey")),
                Map.of(), "k\0" + unique("fp")), 202, HostileInputTest::oneEventStored));
        cases.add(accepted(at + "year 99999", "POST", path, auth, valid(source).replace("2026-11-25T10:00:00.000Z",
                "+99999-01-01T00:00:00Z"), 202, HostileInputTest::oneEventStored));
        // labels are data: no label names the runbook or sets an engine header
        for (String name : ENGINE_HEADERS) {
            for (String job : source.equals("alertmanager") ? GUARDED : List.of(GUARDED.get(source.equals("grafana") ? 1 : 3))) {
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("alertname", unique("harmless_looking_alert"));
                labels.put(name, job);
                cases.add(accepted(at + "label " + name + "=" + job, "POST", path, auth, valid(source, labels, Map.of(),
                        unique("fp")), 202, HostileInputTest::oneEventStored));
            }
        }
    }

    private static void apiCases(List<Case> cases) {
        String run = "/api/jobs/echo-parameters/run";
        List<String> json = List.of("Content-Type", "application/json");
        List<String> read = bearer(TOKEN);   // reads need a token too (a viewer's will do)
        cases.add(refused("api: run without a token", "POST", run, json, "{}", 401, NO_BEARER));
        cases.add(refused("api: a read without a token", "GET", "/api/runs", List.of(), null, 401, NO_BEARER));
        // a webhook's credential only posts alerts: every /api door refuses it
        cases.add(refused("api: a read with a webhook's token", "GET", "/api/incidents", bearer(GRAFANA_TOKEN), null,
                401, "invalid bearer token"));
        cases.add(refused("api: run with a webhook's token", "POST", run, List.of("Authorization", "Bearer "
                + GRAFANA_TOKEN, "Content-Type", "application/json"), "{}", 401, "invalid bearer token"));
        cases.add(refused("api: run with the token in the query", "POST", run + "?Authorization=" + q("Bearer " + TOKEN),
                json, "{}", 401, NO_BEARER));
        cases.add(refused("api: run with the token in a form field", "POST", run, List.of("Content-Type",
                "application/x-www-form-urlencoded"), "Authorization=" + q("Bearer " + TOKEN), 401, NO_BEARER));
        // a form field is never a credential, on any authenticated endpoint (nor when it also confirms a guarded one)
        List<String> form = List.of("Content-Type", "application/x-www-form-urlencoded");
        String formToken = "Authorization=" + q("Bearer " + TOKEN);
        cases.add(refused("api: run with the token in a lower-case form field", "POST", run, form,
                "authorization=" + q("Bearer " + TOKEN), 401, NO_BEARER));
        for (String guarded : GUARDED) {
            cases.add(refused("api: " + guarded + " with the token in a form field", "POST", "/api/runbooks/" + guarded,
                    form, formToken + "&confirm=" + guarded, 401, NO_BEARER));
        }
        cases.add(refused("api: ack with the token in a form field", "POST", "/api/incidents/999999999/ack", form,
                formToken + "&by=x", 401, NO_BEARER));
        cases.add(refused("api: outbox retry with the token in a form field", "POST", "/api/outbox/999999999/retry", form,
                formToken, 401, NO_BEARER));
        cases.add(refused("api: run with a wrong token", "POST", run, bearer("nope"), "{}", 401, "invalid bearer token"));
        cases.add(refused("api: run with Basic", "POST", run, List.of("Authorization", "Basic " + TOKEN), "{}", 401, NO_BEARER));
        List<String> auth = new ArrayList<>(bearer(TOKEN));
        auth.addAll(json);
        for (String scheme : List.of("bearer", "BEARER")) {
            cases.add(accepted("api: run with scheme " + scheme, "POST", run, List.of("Authorization", scheme + " " + TOKEN,
                    "Content-Type", "application/json"), "{\"note\":\"battery\"}", 202, (t, a) -> assertThat(a.get("runId").asLong()).isPositive()));
        }
        cases.add(refused("api: run with trailing garbage", "POST", run, auth, "{\"note\":\"x\"} }}garbage", 400, "malformed JSON*"));
        cases.add(refused("api: run with nesting 65", "POST", run, auth, "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}", 400,
                "malformed JSON*"));
        cases.add(refused("api: run with nesting 100,000", "POST", run, auth, "[".repeat(100_000), 400, "malformed JSON*"));
        cases.add(refused("api: run with a JSON array", "POST", run, auth, "[]", 400, "request body must be a JSON object"));
        cases.add(refused("api: run with a NUL value", "POST", run, auth, "{\"note\":\"a\\u0000b\"}", 400,
                "parameter 'note': NUL characters (\\u0000) are not allowed"));
        cases.add(refused("api: run with a NUL name", "POST", run, auth, "{\"n\\u0000\":\"x\"}", 400,
                "parameter 'n\\u0000': NUL characters (\\u0000) are not allowed"));
        cases.add(refused("api: run with a NUL form field", "POST", run, List.of("Authorization", "Bearer " + TOKEN,
                "Content-Type", "application/x-www-form-urlencoded"), "note=a%00b", 400,
                "parameter 'note': NUL characters (\\u0000) are not allowed"));
        cases.add(refused("api: run of no job, a real one in the query", "POST", "/api/jobs/no-such-job/run?id=echo-parameters",
                auth, "{}", 404, "no job 'no-such-job' (see GET /api/jobs)"));
        cases.add(refused("api: a form's type in the query", "POST", run + "?Content-Type=" + q("application/json"),
                List.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/x-www-form-urlencoded"),
                "{\"note\":\"x\"}", 415, "the body must be JSON*"));
        cases.add(refused("api: run of no job", "POST", "/api/jobs/no-such-job/run", auth, "{}", 404,
                "no job 'no-such-job' (see GET /api/jobs)"));
        cases.add(refused("api: run of no job with a huge name", "POST", "/api/jobs/" + "j".repeat(3000) + "/run", auth, "{}", 404,
                "no job '" + "j".repeat(3000) + "' (see GET /api/jobs)"));
        cases.add(refused("api: emergency stop with the token in the query", "POST", "/api/runbooks/emergency-stop?Authorization="
                + q("Bearer " + TOKEN), json, "{\"confirm\":\"emergency-stop\"}", 401, NO_BEARER));
        cases.add(refused("api: trading resume with the token in the query", "POST", "/api/runbooks/trading-resume?Authorization="
                + q("Bearer " + TOKEN), json, "{\"confirm\":\"trading-resume\"}", 401, NO_BEARER));
        cases.add(refused("api: trading resume without confirm", "POST", "/api/runbooks/trading-resume", auth, "{}", 400,
                "confirm must be \"trading-resume\" to run it"));
        cases.add(refused("api: trading resume with trailing garbage", "POST", "/api/runbooks/trading-resume", auth,
                "{\"confirm\":\"trading-resume\"} x", 400, "malformed JSON*"));
        cases.add(refused("api: dns failover with the token in the query", "POST", "/api/runbooks/dns-failover?Authorization="
                + q("Bearer " + TOKEN), json, "{}", 401, NO_BEARER));
        cases.add(refused("api: dns failover with nesting 65", "POST", "/api/runbooks/dns-failover", auth,
                "{\"a\":" + "{\"a\":".repeat(64) + "1" + "}".repeat(64) + "}", 400, "malformed JSON*"));
        String ack = "/api/incidents/999999999/ack";
        cases.add(refused("api: ack without a token", "POST", ack, json, "{\"by\":\"x\"}", 401, NO_BEARER));
        cases.add(refused("api: ack with the token in the query", "POST", ack + "?Authorization=" + q("Bearer " + TOKEN), json,
                "{\"by\":\"x\"}", 401, NO_BEARER));
        cases.add(refused("api: ack of no incident", "POST", ack, auth, "{\"by\":\"x\"}", 404, "no incident with id 999999999"));
        cases.add(refused("api: ack with a NUL by, of no incident", "POST", ack, auth, "{\"by\":\"a\\u0000b\"}", 404,
                "no incident with id 999999999"));
        cases.add(refused("api: ack without by", "POST", ack, auth, "{}", 400, "by: required (who acknowledges)"));
        cases.add(refused("api: ack of no incident, another id in the query", "POST", ack + "?id=1", auth, "{\"by\":\"x\"}",
                404, "no incident with id 999999999"));
        cases.add(refused("api: ack with a number as by", "POST", ack, auth, "{\"by\":5}", 400, "by: required (who acknowledges)"));
        cases.add(refused("api: ack of a word", "POST", "/api/incidents/abc/ack", auth, "{\"by\":\"x\"}", 400,
                "incident id must be a number (was 'abc')"));
        cases.add(refused("api: ack of a huge number", "POST", "/api/incidents/99999999999999999999/ack", auth, "{\"by\":\"x\"}",
                400, "incident id must be a number (was '99999999999999999999')"));
        cases.add(refused("api: ack with trailing garbage", "POST", ack, auth, "{\"by\":\"x\"}}", 400, "malformed JSON*"));
        cases.add(refused("api: ack with lower-case bearer, of no incident", "POST", ack, List.of("Authorization",
                "bearer " + TOKEN, "Content-Type", "application/json"), "{\"by\":\"x\"}", 404, "no incident with id 999999999"));
        cases.add(refused("api: incidents open=maybe", "GET", "/api/incidents?open=maybe", read, null, 400,
                "open must be true or false (was 'maybe')"));
        cases.add(refused("api: incidents open=1", "GET", "/api/incidents?open=1", read, null, 400,
                "open must be true or false (was '1')"));
        String nulUrl = "the URL must not contain NUL characters (%00)";
        cases.add(refused("api: incidents open with NUL", "GET", "/api/incidents?open=%00", read, null, 400, nulUrl));
        cases.add(refused("api: runs of a job with NUL", "GET", "/api/runs?job=a%00b", read, null, 400, nulUrl));
        cases.add(refused("api: run id with NUL", "GET", "/api/runs/1%00", read, null, 400, nulUrl));
        cases.add(refused("api: outbox status with NUL", "GET", "/api/outbox?status=%00", read, null, 400, nulUrl));
        cases.add(refused("api: dns changes limit with NUL", "GET", "/api/dns/changes?limit=%00", read, null, 400, nulUrl));
        cases.add(refused("api: run of a job with NUL", "POST", "/api/jobs/echo%00/run", auth, "{}", 400, nulUrl));
        cases.add(refused("api: ack with NUL in the query", "POST", ack + "?x=%00", auth, "{\"by\":\"x\"}", 400, nulUrl));
        cases.add(refused("webhook: NUL in the query", "POST", "/webhooks/generic?x=%00", auth, "{\"title\":\"x\"}", 400, nulUrl));
        cases.add(accepted("api: incidents open=TRUE", "GET", "/api/incidents?open=TRUE", read, null, 200,
                (t, a) -> assertThat(a.isArray()).isTrue()));
        cases.add(refused("api: incidents status=bogus", "GET", "/api/incidents?status=bogus", read, null, 400,
                "status must be open, acknowledged or resolved (was 'bogus')"));
        cases.add(refused("api: runs limit=abc", "GET", "/api/runs?limit=abc", read, null, 400,
                "limit must be a number, not 'abc'"));
        cases.add(refused("api: runs limit=0", "GET", "/api/runs?limit=0", read, null, 400,
                "limit must be between 1 and 1000, not 0"));
        cases.add(refused("api: runs limit=99999999999", "GET", "/api/runs?limit=99999999999", read, null, 400,
                "limit must be a number, not '99999999999'"));
        cases.add(refused("api: run of a word", "GET", "/api/runs/abc", read, null, 404, "no run with id abc"));
        cases.add(refused("api: run id of an escaped percent", "GET", "/api/runs/%25zz", read, null, 404, "no run with id %zz"));
        cases.add(refused("api: ack id half escaped", "POST", "/api/incidents/1%E0%A4/ack", auth, "{\"by\":\"x\"}", 400, "*"));
        cases.add(refused("api: run id with a plus", "GET", "/api/runs/1+1", read, null, 404, "no run with id 1+1"));
        cases.add(refused("api: run of a huge number", "GET", "/api/runs/99999999999999999999", read, null, 404,
                "no run with id 99999999999999999999"));
    }

    // ---- checks of what an accepted request stored ----------------------------------------------------------------

    private static void oneEventStored(HostileInputTest t, JsonNode answer) {
        assertThat(answer.get("accepted").asInt()).isEqualTo(1);
        long incident = answer.get("incidents").get(0).asLong();
        Map<String, Object> row = t.db.queryForMap("select incident_key, title, detail, labels from incident where id = ?", incident);
        assertThat(((String) row.get("incident_key")).length()).isLessThanOrEqualTo(Text.KEY);
        assertThat(((String) row.get("title")).length()).isLessThanOrEqualTo(Text.TITLE);
        assertThat(row.get("detail") == null ? 0 : ((String) row.get("detail")).length()).isLessThanOrEqualTo(Text.DETAIL);
        assertThat(((String) row.get("labels")).length()).isLessThanOrEqualTo(Text.MAP);
        assertThat(row.values()).allSatisfy(v -> assertThat(v == null ? "" : v.toString()).doesNotContain("\0"));
    }

    private void titleCut(JsonNode answer, int limit) {
        oneEventStored(this, answer);
        String title = db.queryForObject("select title from incident where id = ?", String.class,
                answer.get("incidents").get(0).asLong());
        assertThat(title).hasSize(limit).endsWith(Text.MARK);
    }

    private void titleKept(JsonNode answer, String expected) {
        oneEventStored(this, answer);
        assertThat(db.queryForObject("select title from incident where id = ?", String.class,
                answer.get("incidents").get(0).asLong())).isEqualTo(expected);
    }

    // ---- the run ------------------------------------------------------------------------------------------------

    @Test
    void theBatteryHasAtLeast150Requests() {
        List<Case> all = battery().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(150);
        System.out.printf("battery: %d requests, %d refused (4xx), %d accepted (2xx)%n", all.size(),
                all.stream().filter(c -> c.status() >= 400).count(), all.stream().filter(c -> c.status() < 400).count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("battery")
    void eachRequestGetsItsStatusAndARefusedOneStoresNothing(Case c) throws Exception {
        List<Long> before = counts();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestEngine.base(engine) + c.path()))
                .timeout(Duration.ofSeconds(60));
        boolean typed = false;
        for (int i = 0; i < c.headers().size(); i += 2) {
            b.header(c.headers().get(i), c.headers().get(i + 1));
            typed |= c.headers().get(i).equalsIgnoreCase("Content-Type");
        }
        if (!typed && c.method().equals("POST")) {
            b.header("Content-Type", "application/json");
        }
        b.method(c.method(), c.body() == null || c.method().equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(c.body()));
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isLessThan(500).isEqualTo(c.status());
        if (c.status() >= 400) {
            if (c.status() != 413) {   // the body limit is platform-http's own answer
                String error = JSON.readTree(r.body()).path("error").asText();
                assertThat(error).isNotBlank();
                int star = c.error().indexOf('*');
                if (star >= 0) {
                    assertThat(error).startsWith(c.error().substring(0, star)).endsWith(c.error().substring(star + 1));
                } else {
                    assertThat(error).isEqualTo(c.error());
                }
            }
            assertThat(counts()).as("alert_event, incident, job_run, notification").isEqualTo(before);
        } else {
            c.stored().check(this, JSON.readTree(r.body()));
        }
        assertThat(db.queryForObject("select count(*) from job_run where job in ('emergency-stop', 'trading-resume',"
                + " 'dns-failover', 'dns-rollback')", Long.class)).as("guarded runbooks started").isZero();
    }

    // ---- every column an alert reaches, at and beyond its limit ------------------------------------------------------

    /** A field of an alert, its limit, and where it is stored: (table, column, where) read back by fingerprint/key. */
    record Limit(String field, int limit) {
        @Override
        public String toString() {
            return field + " " + limit;
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> limits() {
        List<org.junit.jupiter.params.provider.Arguments> rows = new ArrayList<>();
        for (String source : List.of("alertmanager", "generic")) {
            for (String field : List.of("alertname", "fingerprint", "summary", "description", "labelValue")) {
                int limit = switch (field) {
                    case "alertname" -> Text.ALERTNAME;
                    case "fingerprint" -> Text.FINGERPRINT;
                    case "summary" -> Text.TITLE;
                    case "description" -> Text.DETAIL;
                    default -> Text.VALUE;
                };
                for (int length : new int[] {limit, limit + 1, 10 * limit}) {
                    rows.add(org.junit.jupiter.params.provider.Arguments.of(source, field, limit, length));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1} of {3} (limit {2})")
    @MethodSource("limits")
    void eachFieldIsStoredWholeAtItsLimitAndCutBeyondIt(String source, String field, int limit, int length) throws Exception {
        String value = (field.equals("alertname") ? "A" : "v") + "x".repeat(length - 1);
        String fp = field.equals("fingerprint") ? value : unique("limit");
        Map<String, String> labels = new LinkedHashMap<>();
        // generic: the alert name is made of the title, so a long summary makes a long name too
        labels.put("alertname", field.equals("alertname") ? value : source.equals("generic") ? "ignored" : unique("Limit"));
        if (field.equals("labelValue")) {
            labels.put("big", value);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", field.equals("summary") ? value : field.equals("alertname") && source.equals("generic")
                ? value : unique("summary"));
        if (field.equals("description")) {
            annotations.put("description", value);
        }
        HttpResponse<String> r = TestEngine.post(engine, "/webhooks/" + source, TOKEN, valid(source, labels, annotations, fp));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        long incident = JSON.readTree(r.body()).get("incidents").get(0).asLong();
        Map<String, Object> event = db.queryForMap("select fingerprint, alertname, title, labels from alert_event"
                + " where incident_id = ?", incident);
        Map<String, Object> row = db.queryForMap("select incident_key, title, detail, labels from incident where id = ?", incident);
        String expected = length <= limit ? value : value.substring(0, limit - Text.MARK.length()) + Text.MARK;
        String stored = switch (field) {
            case "alertname" -> source.equals("generic") ? null : (String) event.get("alertname");
            case "fingerprint" -> (String) event.get("fingerprint");
            case "summary" -> (String) row.get("title");
            case "description" -> (String) row.get("detail");
            default -> JSON.readTree((String) row.get("labels")).get("big").asText();
        };
        if (stored != null) {
            assertThat(stored).isEqualTo(expected);
        }
        assertThat(JSON.readTree((String) event.get("labels")).isObject()).isTrue();   // whole JSON, never cut mid-way
        assertThat(JSON.readTree((String) row.get("labels")).isObject()).isTrue();
        assertThat(db.queryForList("select subject from notification where idempotency_key like ?", String.class,
                "incident-" + incident + "-%")).allSatisfy(subject -> assertThat(subject.length()).isLessThanOrEqualTo(1000));
    }

    // ---- labels are data ------------------------------------------------------------------------------------------

    @Test
    void aGuardedRunbookStartsOnlyWhenTheRoutingNamesItNotFromAValueItCopiedFromTheAlert() throws Exception {
        for (String job : GUARDED) {
            HttpResponse<String> r = TestEngine.post(engine, "/webhooks/alertmanager", TOKEN, Payloads.alertmanager("firing",
                    unique("copy"), Map.of("alertname", "CopiesItsJob", "job", job)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        long before = engine.runs().list("header-probe", 1000).size();
        assertThat(TestEngine.post(engine, "/webhooks/alertmanager", TOKEN, Payloads.alertmanager("firing", unique("copy"),
                Map.of("alertname", "CopiesItsJob", "job", "header-probe"))).statusCode()).isEqualTo(202);
        // an unguarded job may be chosen by an expression: it starts (after the guarded ones would have)
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.runs().list("header-probe", 1000).size() == before + 1);
        assertThat(db.queryForObject("select count(*) from job_run where job in ('emergency-stop', 'trading-resume',"
                + " 'dns-failover', 'dns-rollback')", Long.class)).isZero();
    }

    @Test
    void aRoutedRunGetsTheLabelsAsParametersButNoEngineHeader() throws Exception {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", "HeaderProbe");
        labels.put("region", "eu-west");
        for (String name : ENGINE_HEADERS) {
            labels.put(name, "from-a-label");
        }
        String fp = unique("probe");
        HttpResponse<String> r = TestEngine.post(engine, "/webhooks/alertmanager", TOKEN,
                Payloads.alertmanager("firing", fp, labels));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        long incident = JSON.readTree(r.body()).get("incidents").get(0).asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.runs().list("header-probe", 1).stream().map(RunRecord::json)
                .anyMatch(run -> !"running".equals(run.get("status"))));
        Map<String, Object> run = engine.runs().list("header-probe", 1).stream().map(RunRecord::json).toList().get(0);
        assertThat(run).containsEntry("trigger", "alert");
        assertThat((String) run.get("error")).isEqualTo("IllegalStateException: trigger=alert runId=" + run.get("id")
                + " incident=" + incident + " uri= region=eu-west");
    }

    /** Acknowledges a new incident with {@code by} (JSON-escaped) and answers what was stored. */
    private String acknowledgedBy(String by) throws Exception {
        HttpResponse<String> opened = TestEngine.post(engine, "/webhooks/generic", TOKEN,
                "{\"title\":\"Ack battery\",\"key\":\"" + unique("ack") + "\"}");
        long id = JSON.readTree(opened.body()).get("incidents").get(0).asLong();
        HttpResponse<String> r = TestEngine.post(engine, "/api/incidents/" + id + "/ack", TOKEN, "{\"by\":\"" + by + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return db.queryForObject("select acknowledged_by from incident where id = ?", String.class, id);
    }

    @Test
    void anAcknowledgementByIsStoredWholeAtItsLimitAndEscapedAndCutBeyond() throws Exception {
        assertThat(acknowledgedBy("b".repeat(Text.BY))).isEqualTo("b".repeat(Text.BY));
        assertThat(acknowledgedBy("b".repeat(Text.BY + 1))).isEqualTo("b".repeat(Text.BY - Text.MARK.length()) + Text.MARK);
        assertThat(acknowledgedBy("a\\u0000" + "b".repeat(5000))).hasSize(Text.BY).startsWith("a\\u0000bbb").endsWith(Text.MARK);
    }
}
