package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The command line's HTTP/1.1 call against the JDK's own HTTP server: bodies with a length and chunked, the request
 * as sent, and each failure mapped to the message and exit status the client gave with {@code java.net.http}.
 */
class HttpCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/", exchange -> {
            byte[] request = exchange.getRequestBody().readAllBytes();
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(request, StandardCharsets.UTF_8));
            String path = exchange.getRequestURI().getPath();
            String body = path.endsWith("/big") ? "[" + "\"héllo\",".repeat(5000) + "1]"
                    : path.endsWith("/refused") ? "{\"error\": \"invalid bearer token\"}" : "{\"ok\": true, \"n\": 12}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            // /big goes chunked (length 0), the others with a Content-Length
            exchange.sendResponseHeaders(path.endsWith("/refused") ? 401 : 200, path.endsWith("/big") ? 0 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void readsBodiesWithALengthAndChunkedOnesAndSendsTheTokenAndTheJson() throws Exception {
        EngineClient client = new EngineClient(base() + "/", "secret");
        assertThat(client.get("/api/small?x=1%202")).isEqualTo(JSON.readTree("{\"ok\": true, \"n\": 12}"));
        JsonNode big = client.get("/api/big");
        assertThat(big.size()).isEqualTo(5001);
        assertThat(big.get(4999).asText()).isEqualTo("héllo");
        client.post("/api/run", Json.object().put("note", "ça va"));
        client.post("/api/run", null);
        assertThat(seen).containsExactly("GET /api/small?x=1%202 Bearer secret null ",
                "GET /api/big Bearer secret null ",
                "POST /api/run Bearer secret application/json {\"note\":\"ça va\"}",
                "POST /api/run Bearer secret application/json {}");

        HttpCall.Answer raw = HttpCall.exchange(URI.create(base() + "/api/big"), "GET", new String[0], null, 1000, 5000);
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.body()).startsWith("[\"héllo\",").endsWith(",1]");
    }

    @Test
    void anErrorAnswerKeepsItsBodyForTheMessage() {
        EngineClient client = new EngineClient(base(), "wrong");
        assertThatThrownBy(() -> client.get("/api/refused"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(EngineClient.UNAUTHORIZED))
                .hasMessageStartingWith("the engine refused the API token (invalid bearer token); set RUNBOOK_API_TOKEN");
    }

    @Test
    void noEngineAnUnknownHostAndASilentOneAreEachOneLine() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String down = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> new EngineClient(down, "t").get("/api/jobs"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(EngineClient.UNREACHABLE))
                .hasMessage("cannot reach the engine at " + down + " (connection refused); is it running? (set RUNBOOK_URL"
                        + " to point elsewhere)");
        assertThatThrownBy(() -> new EngineClient("http://no-such-host.invalid:8080", "t").get("/api/jobs"))
                .hasMessage("cannot reach the engine at http://no-such-host.invalid:8080 (connection refused); is it"
                        + " running? (set RUNBOOK_URL to point elsewhere)");
        try (ServerSocket silent = new ServerSocket(0)) {   // accepts (backlog), never answers
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/api/jobs");
            assertThatThrownBy(() -> HttpCall.exchange(uri, "GET", new String[0], null, 1000, 200))
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @Test
    void jsonIsWrittenAsJacksonWritesItsTrees() throws Exception {
        String text = "{\"id\": 5, \"big\": 12345678901, \"huge\": 123456789012345678901234567890, \"ratio\": 0.25,"
                + " \"name\": \"a \\\"quoted\\\" é\\n\", \"none\": null, \"ok\": false, \"list\": [1, {\"x\": []}, {}],"
                + " \"nested\": {\"params\": {}}}";
        JsonNode mapper = JSON.readTree(text);
        JsonNode ours = Json.parse(text);
        assertThat(ours).isEqualTo(mapper);
        assertThat(Json.pretty(ours)).isEqualTo(mapper.toPrettyString());
        assertThat(Json.compact(ours)).isEqualTo(mapper.toString());
        assertThat(Json.parse("Not Found")).isNull();
        assertThat(Json.parse("<html>bad gateway</html>")).isNull();
    }
}
