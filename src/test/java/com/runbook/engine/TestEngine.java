package com.runbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.notify.Outbox;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Starts a real engine for a test: a free port, a temporary data folder, and the engine database on H2 or, when
 * the system property {@code runbook.test.postgres} holds a JDBC URL, on that PostgreSQL in a schema of its own.
 */
public final class TestEngine {
    public static final String TOKEN = "test-token-0123456789";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a test waits for the outbox to deliver (a first Pub/Sub or Telegram send is slow on a loaded machine). */
    public static final Duration DELIVERY = Duration.ofSeconds(60);

    private TestEngine() {
    }

    /** A runbook folder {@code dir/base} with empty {@code routes/} and {@code schedules/}, for a test to fill. */
    public static Path emptyBase(Path dir) throws IOException {
        Path base = dir.resolve("base");
        Files.createDirectories(base.resolve("routes"));
        Files.createDirectories(base.resolve("schedules"));
        return base;
    }

    public static Engine start(Path base, Path dataDir, Map<String, String> extra) throws Exception {
        return start(base, dataDir, extra, Map.of());
    }

    /** Starts an engine with extra properties and beans bound before the runbooks load. */
    public static Engine start(Path base, Path dataDir, Map<String, String> extra, Map<String, Object> beans) throws Exception {
        Map<String, String> props = new HashMap<>(databaseProperties());
        props.put("camel.server.port", Integer.toString(freePort()));
        props.put("camel.server.host", "127.0.0.1");
        props.put("runbook.data-dir", dataDir.toString());
        props.put("runbook.api.token", TOKEN);
        props.put("runbook.node", "test-node");
        props.putAll(extra);
        if (!props.containsKey("runbook.db.url")) {
            props.put("runbook.db.url", "jdbc:h2:retry:" + dataDir.resolve("runbook") + ";DB_CLOSE_ON_EXIT=FALSE");
        }
        return Engine.start(base, props, beans);
    }

    /** The engine database settings for this test run: empty for H2, a fresh schema when PostgreSQL is configured. */
    public static Map<String, String> databaseProperties() throws Exception {
        String pg = System.getProperty("runbook.test.postgres", System.getenv().getOrDefault("RUNBOOK_TEST_POSTGRES", ""));
        if (pg.isBlank()) {
            return Map.of();
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(pg, "rb", "rb"); Statement s = c.createStatement()) {
            s.execute("create schema " + schema);
        }
        return Map.of("runbook.db.url", pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "runbook.db.user", "rb", "runbook.db.password", "rb");
    }

    /**
     * A migrated engine database of its own for a test without an engine: in-memory H2, or a fresh schema on the
     * PostgreSQL of {@link #databaseProperties()}.
     */
    public static com.zaxxer.hikari.HikariDataSource database() throws Exception {
        Map<String, String> pg = databaseProperties();
        return pg.isEmpty()
                ? com.runbook.engine.store.Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2)
                : com.runbook.engine.store.Database.open(pg.get("runbook.db.url"), "rb", "rb", 2);
    }

    public static boolean onPostgres() {
        return !System.getProperty("runbook.test.postgres", System.getenv().getOrDefault("RUNBOOK_TEST_POSTGRES", "")).isBlank();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public static String base(Engine engine) {
        return "http://127.0.0.1:" + engine.port();
    }

    /** GET {@code path} with the bootstrap admin token ({@link #TOKEN}): reads need a token of any role. */
    public static HttpResponse<String> get(Engine engine, String path) throws Exception {
        return get(engine, path, TOKEN);
    }

    /** GET {@code path} with {@code token} (null: none). */
    public static HttpResponse<String> get(Engine engine, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(engine) + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> post(Engine engine, String path, String token, String body) throws Exception {
        return post(engine, path, token, body, "application/json");
    }

    public static HttpResponse<String> post(Engine engine, String path, String token, String body, String contentType)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(engine) + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The incidents as GET /api/incidents lists them (newest first) whose key starts with the prefix. */
    public static List<JsonNode> incidents(Engine engine, String keyPrefix) throws Exception {
        HttpResponse<String> r = get(engine, "/api/incidents");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /api/incidents answered " + r.statusCode() + ": " + r.body());
        }
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode i : JSON.readTree(r.body())) {
            if (i.path("key").asText().startsWith(keyPrefix)) {
                found.add(i);
            }
        }
        return found;
    }

    /** The id of the newest row of the outbox (0 when empty): a mark for {@link #queuedAfter}. */
    public static long lastQueued(Engine engine) {
        List<Map<String, Object>> rows = ((Outbox) engine.notifier()).find("id = (select max(id) from notification)");
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("id")).longValue();
    }

    /** The outbox rows (channel, subject, status, ...) queued after the mark, oldest first. */
    public static List<Map<String, Object>> queuedAfter(Engine engine, long mark) {
        return ((Outbox) engine.notifier()).find("id > ?", mark);
    }

    /** Waits until the outbox has nothing pending or being sent (so that a test starts with no delivery in flight). */
    public static void awaitOutboxDelivered(Engine engine) {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> ((Outbox) engine.notifier()).find("status in ('pending', 'sending')").isEmpty());
    }

    /** Gives echo-parameters (manual only when shipped) a weekday 16:30 cron in America/New_York, a zone of its own. */
    public static void scheduleEchoInNewYork(Path base) throws IOException {
        Files.writeString(base.resolve("schedules/echo-parameters.yaml"),
                "job: echo-parameters\ncron: \"0 30 16 ? * MON-FRI\"\nzone: America/New_York\n");
    }

    /** Copies the shipped routes/ and schedules/ into {@code target}, so a test may edit them. */
    public static Path copyShippedRunbooks(Path target) throws IOException {
        for (String dir : new String[] {"routes", "schedules"}) {
            Path from = Path.of(dir).toAbsolutePath();
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                    Path to = target.resolve(dir).resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
        return target;
    }
}
