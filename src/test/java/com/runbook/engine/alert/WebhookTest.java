package com.runbook.engine.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static com.runbook.engine.TestEngine.TOKEN;
import static com.runbook.engine.TestEngine.post;
import static org.assertj.core.api.Assertions.assertThat;

/** The webhooks: authentication (bearer, HMAC, replay window) and refusal of bad bodies, with nothing stored. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String GOOD = "{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"}}";
    @TempDir
    static Path dir;
    Engine engine;
    JdbcTemplate db;

    @BeforeAll
    void start() throws Exception {
        engine = TestEngine.start(TestEngine.copyShippedRunbooks(dir.resolve("base")), dir.resolve("data"), Map.of(
                "runbook.alert.grafana.token", "grafana-token",
                "runbook.alert.grafana.hmac-secret", "grafana-secret",
                "runbook.alert.generic.hmac-secret", "generic-secret"));
        db = new JdbcTemplate(engine.dataSource());
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    private int stored() {
        return db.queryForObject("select count(*) from alert_event", Integer.class)
                + db.queryForObject("select count(*) from incident", Integer.class);
    }

    private HttpResponse<String> send(String source, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestEngine.base(engine) + "/webhooks/" + source))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("error").asText();
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("alertmanager", "", "request body must be a JSON object"),
                Arguments.of("alertmanager", "[]", "request body must be a JSON object"),
                Arguments.of("alertmanager", "42", "request body must be a JSON object"),
                Arguments.of("alertmanager", "{}", "alerts: required (an array of alerts)"),
                Arguments.of("alertmanager", "{\"alerts\":null}", "alerts: required (an array of alerts)"),
                Arguments.of("alertmanager", "{\"alerts\":{}}", "alerts: must be an array"),
                Arguments.of("alertmanager", "{\"alerts\":[]}", "alerts: must not be empty"),
                Arguments.of("alertmanager", "{\"alerts\":[1]}", "alerts[0]: must be an object"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"labels\":{\"alertname\":\"A\"}}]}",
                        "alerts[0].status: required (firing or resolved)"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"pending\",\"labels\":{\"alertname\":\"A\"}}]}",
                        "alerts[0].status: must be firing or resolved (was 'pending')"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":5,\"labels\":{\"alertname\":\"A\"}}]}",
                        "alerts[0].status: must be a string"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\"}]}",
                        "alerts[0].labels: required (an object of strings)"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":[]}]}",
                        "alerts[0].labels: must be an object of strings"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{}}]}",
                        "alerts[0].labels.alertname: required"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\" \"}}]}",
                        "alerts[0].labels.alertname: required"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":3}}]}",
                        "alerts[0].labels.alertname: must be a string; alerts[0].labels.alertname: required"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"},\"annotations\":\"x\"}]}",
                        "alerts[0].annotations: must be an object of strings"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"yesterday\"}]}",
                        "alerts[0].startsAt: not an RFC 3339 time (was 'yesterday')"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"},\"fingerprint\":7}]}",
                        "alerts[0].fingerprint: must be a string"),
                Arguments.of("alertmanager", "{\"version\":\"3\",\"alerts\":[" + GOOD + "]}",
                        "version: unsupported '3' (Alertmanager webhook version 4 expected)"),
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"priority\":\"P9\"}}]}",
                        "alerts[0].labels.priority: must be one of P1, P2, P3, P4 (was 'P9')"),
                // every alert bad: the whole body (one bad alert among good ones is refused alone: HostileInputTest)
                Arguments.of("alertmanager", "{\"alerts\":[{\"status\":\"x\",\"labels\":{\"alertname\":\"A\"}},{\"status\":\"firing\"}]}",
                        "alerts[0].status: must be firing or resolved (was 'x'); alerts[1].labels: required (an object of strings)"),
                Arguments.of("grafana", "{}", "alerts: required (an array of alerts)"),
                Arguments.of("grafana", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\"},\"endsAt\":\"2026-13-01\"}]}",
                        "alerts[0].endsAt: not an RFC 3339 time (was '2026-13-01')"),
                Arguments.of("generic", "{}", "title: required"),
                Arguments.of("generic", "{\"title\":5}", "title: must be a string; title: required"),
                Arguments.of("generic", "{\"title\":\"x\",\"priority\":\"urgent\"}", "priority: must be one of P1, P2, P3, P4 (was 'urgent')"),
                Arguments.of("generic", "{\"title\":\"x\",\"status\":\"open\"}", "status: must be firing or resolved (was 'open')"),
                Arguments.of("generic", "{\"title\":\"x\",\"labels\":{\"a\":1}}", "labels.a: must be a string"),
                Arguments.of("generic", "{\"title\":\"x\",\"colour\":\"red\"}",
                        "colour: unknown field (known: title, status, priority, severity, key, detail, labels)"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badBodies")
    void aBadBodyIsRefusedWith400AndTheExactMessageAndNothingIsStored(String source, String body, String message)
            throws Exception {
        int before = stored();
        String token = source.equals("grafana") ? "grafana-token" : TOKEN;
        HttpResponse<String> r = post(engine, "/webhooks/" + source, token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(error(r)).isEqualTo(message);
        assertThat(stored()).isEqualTo(before);
    }

    /** The shipped alert-routing's predicates read the labels through {@link LabelLookup}, and route as before. */
    @Test
    void alertRoutingReadsTheLabelsThroughTheLabelLookup() throws Exception {
        assertThat(LabelLookup.installed(engine.context())).isTrue();
        HttpResponse<String> r = post(engine, "/webhooks/alertmanager", TOKEN, "{\"alerts\": [{\"status\": \"firing\","
                + " \"labels\": {\"alertname\": \"ServiceDown\", \"severity\": \"info\", \"job\": \"label-lookup\"}}]}");
        assertThat(r.statusCode()).isEqualTo(202);
        long id = JSON.readTree(r.body()).get("incidents").get(0).asLong();
        // severity info alone would be P4: the route's "ServiceDown" rule made it P1
        assertThat(db.queryForObject("select priority from incident where id = ?", String.class, id)).isEqualTo("P1");
    }

    @Test
    void malformedJsonGets400WithLineAndColumn() throws Exception {
        int before = stored();
        HttpResponse<String> r = post(engine, "/webhooks/alertmanager", TOKEN, "{\"alerts\": [\n  {oops}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).startsWith("malformed JSON at line 2, column 4: ");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void jsonSentAsAFormGets415AndNothingIsStored() throws Exception {
        int before = stored();
        HttpResponse<String> r = post(engine, "/webhooks/generic", TOKEN, "{\"title\":\"Disk full\"}",
                "application/x-www-form-urlencoded");   // curl -d without -H 'Content-Type: application/json'
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(error(r)).isEqualTo("the body must be JSON sent with Content-Type: application/json (curl: -H"
                + " 'Content-Type: application/json'), not application/x-www-form-urlencoded");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aBodyOverOneMebibyteGets413AndNothingIsStored() throws Exception {
        int before = stored();
        String big = "{\"title\":\"" + "x".repeat(1024 * 1024) + "\"}";
        assertThat(post(engine, "/webhooks/generic", TOKEN, big).statusCode()).isEqualTo(413);
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void missingOrWrongCredentialsGet401AndNothingIsStored() throws Exception {
        String body = Payloads.alertmanager("firing", "fp-auth", Map.of("alertname", "A"));
        int before = stored();
        HttpResponse<String> none = send("alertmanager", body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(error(none)).isEqualTo("missing credentials: send Authorization: Bearer <token> or an HMAC-SHA256"
                + " signature (X-Hub-Signature-256 or X-Grafana-Alerting-Signature)");
        assertThat(error(post(engine, "/webhooks/alertmanager", "wrong", body))).isEqualTo("invalid bearer token");
        // grafana has a token of its own: the API token is not it
        assertThat(post(engine, "/webhooks/grafana", TOKEN, body).statusCode()).isEqualTo(401);
        // a signature where the source has no secret does not count
        assertThat(send("alertmanager", body, "X-Hub-Signature-256", "sha256=" + WebhookAuth.sign("some-secret", body.getBytes()))
                .statusCode()).isEqualTo(401);
        HttpResponse<String> badSig = send("generic", "{\"title\":\"t\"}", "X-Hub-Signature-256", "sha256=" + "0".repeat(64));
        assertThat(badSig.statusCode()).isEqualTo(401);
        assertThat(error(badSig)).isEqualTo("invalid signature");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void perSourceTokenAndHmacSignaturesAreAccepted() throws Exception {
        String am = Payloads.alertmanager("firing", "fp-grafana", Map.of("alertname", "GrafanaThing", "severity", "info"));
        assertThat(post(engine, "/webhooks/grafana", "grafana-token", am).statusCode()).isEqualTo(202);
        String generic = "{\"title\":\"Stakeholders: trading halted\",\"priority\":\"P2\",\"key\":\"halt-1\",\"detail\":\"manual\"}";
        HttpResponse<String> hub = send("generic", generic, "X-Hub-Signature-256",
                "sha256=" + WebhookAuth.sign("generic-secret", generic.getBytes(StandardCharsets.UTF_8)));
        assertThat(hub.statusCode()).as(hub.body()).isEqualTo(202);
        assertThat(db.queryForObject("select priority from incident where incident_key = ?", String.class,
                "Stakeholders_trading_halted/halt-1")).isEqualTo("P2");

        String ts = Long.toString(Instant.now().getEpochSecond());
        String signed = WebhookAuth.sign("grafana-secret", (ts + ":" + am).getBytes(StandardCharsets.UTF_8));
        assertThat(send("grafana", am, "X-Grafana-Alerting-Signature", signed,
                "X-Grafana-Alerting-Signature-Timestamp", ts).statusCode()).isEqualTo(202);
    }

    @Test
    void aGrafanaSignatureOutsideTheReplayWindowOrOverTheBodyAloneIsRefused() throws Exception {
        String am = Payloads.alertmanager("firing", "fp-replay", Map.of("alertname", "Replay"));
        int before = stored();
        String old = Long.toString(Instant.now().minusSeconds(301).getEpochSecond());
        HttpResponse<String> replay = send("grafana", am, "X-Grafana-Alerting-Signature",
                WebhookAuth.sign("grafana-secret", (old + ":" + am).getBytes(StandardCharsets.UTF_8)),
                "X-Grafana-Alerting-Signature-Timestamp", old);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(error(replay)).isEqualTo("signature timestamp outside the 5 minute window (replay refused)");
        String now = Long.toString(Instant.now().getEpochSecond());
        HttpResponse<String> bodyOnly = send("grafana", am, "X-Grafana-Alerting-Signature",
                WebhookAuth.sign("grafana-secret", am.getBytes(StandardCharsets.UTF_8)),
                "X-Grafana-Alerting-Signature-Timestamp", now);
        assertThat(error(bodyOnly)).isEqualTo("invalid signature");
        assertThat(stored()).isEqualTo(before);
    }
}
