package com.runbook.engine.report;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.TestEngine;
import com.runbook.engine.notify.Dispatcher;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Exactly once, measured": the shipped weekly-commission-emails job in a separate JVM on the same databases, killed
 * with SIGKILL at ten varied moments (alternately a random time into the job's render/queue/mark, and a random
 * number of emails into the outbox's delivery), restarted each time, then left to finish. Every payable row must end
 * sent with one outbox message marked delivered, and each follower must have its emails, once each after
 * de-duplicating by X-Idempotency-Key. After each kill the test reads the engine database: the messages the killed
 * process got accepted by SMTP but had not marked delivered are the one window no SMTP outbox can close; only those
 * keys may arrive again (same key, same content), once per time a kill caught them. On PostgreSQL a kill catches at
 * most one (one sender thread) and duplicates are at most the kills that landed during a send.
 */
@Tag("db")
class CommissionCrashTest {
    /**
     * Enough emails (about 1.5 per follower) that the pooled outbox (hundreds a second) is still delivering when the
     * kills that aim at its delivery land.
     */
    private static final int FOLLOWERS = 1200;
    private static final int KILLS = 10;

    @TempDir
    Path dir;
    GreenMail greenMail;
    final Random random = new Random();

    /**
     * A SIGKILL leaves the killed process's pooled SMTP connection open in GreenMail, whose handler thread then dies of
     * "Connection reset": expected here, so an await does not fail on that thread's uncaught exception.
     */
    @BeforeEach
    void killedConnectionsAreExpected() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterEach
    void stop() {
        Awaitility.reset();
        if (greenMail != null) {
            greenMail.stop();
        }
    }

    @Test
    void killedTenTimesAndRestartedEveryPayableRowIsMailedOnceAndMarkedSent() throws Exception {
        greenMail = new GreenMail(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        Path base = dir.resolve("base");
        Files.createDirectories(base.resolve("routes"));
        Files.copy(Path.of("routes/weekly-commission-emails.camel.yaml"), base.resolve("routes/weekly-commission-emails.camel.yaml"));
        TestEngine.copyShippedRunbooks(dir.resolve("shipped"));
        Files.move(dir.resolve("shipped/routes/templates"), base.resolve("routes/templates"));
        Path data = dir.resolve("data");
        Map<String, String> settings = settings(data);
        String url = settings.get("runbook.trading.db.url");
        String user = settings.getOrDefault("runbook.trading.db.user", "sa");
        String password = settings.getOrDefault("runbook.trading.db.password", "");
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/trading")
                .table("flyway_trading_history").load().migrate();
        Map<String, String> expected = seed(url, user, password);
        String before;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            before = rows(c, "select follower_id, year, month, sent, sent_at from commission_monthly where is_payable = false or sent = true or follower_id = 7 order by 1, 2, 3");
        }

        List<String> kills = new ArrayList<>();
        // after each kill: the messages SMTP accepted from the killed process whose delivery mark is not in the
        // engine database (the documented window), per kill
        List<List<String>> windows = new ArrayList<>();
        for (int attempt = 0; kills.size() < KILLS && attempt < 3 * KILLS; attempt++) {
            Map<String, Integer> copiesBefore = copies();
            Child child = start(base, data, settings);
            int delivered = greenMail.getReceivedMessages().length;
            if (attempt % 2 == 0) {
                // while the job renders, queues and marks (and the first emails go out)
                child.process.waitFor(random.nextInt(800), TimeUnit.MILLISECONDS);
            } else {
                // while the outbox delivers: after a random number of new emails, a few milliseconds into the next
                int target = delivered + 1 + random.nextInt(25);
                await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(2))
                        .until(() -> greenMail.getReceivedMessages().length >= target || !child.process.isAlive());
                // every other time at once: aims at the window between SMTP acceptance and the delivery mark
                child.process.waitFor(attempt % 4 == 3 ? 0 : random.nextInt(25), TimeUnit.MILLISECONDS);
            }
            if (child.process.isAlive()) {
                child.process.destroyForcibly().waitFor();
                // GreenMail stores a message the killed process finished sending on its own thread, possibly after
                // the kill: wait until its count holds still before reading which messages the kill caught
                AtomicInteger seen = new AtomicInteger(-1);
                await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(100))
                        .until(() -> {
                            int n = greenMail.getReceivedMessages().length;
                            return seen.getAndSet(n) == n;
                        });
                Map<String, String> status = outboxStatus(settings);
                List<String> window = new ArrayList<>();
                copies().forEach((key, n) -> {
                    if (n > copiesBefore.getOrDefault(key, 0) && !"sent".equals(status.get(key))) {
                        window.add(key);
                    }
                });
                windows.add(window);
                kills.add((System.nanoTime() - child.started) / 1_000_000 + " ms after RUNNING, "
                        + (greenMail.getReceivedMessages().length - delivered) + " emails, " + window.size() + " accepted not marked");
            }
        }
        assertThat(kills).as("SIGKILLs while the job or the outbox was working").hasSize(KILLS);
        Child last = start(base, data, settings);
        assertThat(last.process.waitFor(90, TimeUnit.SECONDS)).as("last run finishes").isTrue();
        assertThat(last.lines).contains("run succeeded", "DONE");

        // every key once, plus copies only from the SMTP-accepted-but-not-marked window, with the same key
        Map<String, List<MimeMessage>> byKey = new TreeMap<>();
        List<MimeMessage> skipped = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            String[] key = m.getHeader(Dispatcher.IDEMPOTENCY_HEADER);
            assertThat(key).as("every email carries its idempotency key").isNotNull().hasSize(1);
            if (key[0].startsWith("commission-skipped/")) {
                skipped.add(m);
            } else {
                byKey.computeIfAbsent(key[0], k -> new ArrayList<>()).add(m);
            }
        }
        assertThat(skipped).as("each run that got through reports follower 7's row as skipped").isNotEmpty();
        for (MimeMessage m : skipped) {
            assertThat(m.getRecipients(RecipientType.TO)[0].toString()).isEqualTo("ops@example.com");
            assertThat(m.getContent().toString()).contains("commission/7/2026/10: follower has no email address");
        }
        assertThat(byKey.keySet()).as("de-duplicated by X-Idempotency-Key: one email per payable row with an address, none lost")
                .isEqualTo(expected.keySet());
        for (List<MimeMessage> copiesOfOne : byKey.values()) {
            for (MimeMessage m : copiesOfOne) {
                assertThat(m.getContent().toString()).as("a copy is the same message").isEqualTo(copiesOfOne.get(0).getContent().toString());
                assertThat(m.getRecipients(RecipientType.TO)[0].toString()).isEqualTo(copiesOfOne.get(0).getRecipients(RecipientType.TO)[0].toString());
            }
        }
        Map<String, java.util.Set<String>> keysPerFollower = new TreeMap<>();
        expected.forEach((key, addressAndAmount) -> keysPerFollower.computeIfAbsent(addressAndAmount.split(" ")[0], a -> new java.util.TreeSet<>()).add(key));
        Map<String, java.util.Set<String>> receivedPerFollower = new TreeMap<>();
        byKey.forEach((key, ms) -> {
            for (MimeMessage m : ms) {
                try {
                    receivedPerFollower.computeIfAbsent(m.getRecipients(RecipientType.TO)[0].toString(), a -> new java.util.TreeSet<>()).add(key);
                } catch (jakarta.mail.MessagingException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertThat(receivedPerFollower).as("each follower received exactly its own emails, once each after de-duplication").isEqualTo(keysPerFollower);

        List<String> windowKeys = windows.stream().flatMap(List::stream).toList();
        long killsDuringSend = windows.stream().filter(w -> !w.isEmpty()).count();
        int duplicates = greenMail.getReceivedMessages().length - new java.util.HashSet<>(copies().keySet()).size();
        Map<String, Integer> copies = copies();
        System.out.println("commission crash test (" + (TestEngine.onPostgres() ? "PostgreSQL" : "H2") + "): " + kills + "; "
                + byKey.size() + " keys delivered, " + killsDuringSend + " kill(s) during a send, " + windowKeys.size()
                + " message(s) accepted but not marked, " + duplicates + " duplicate(s): " + copies.entrySet().stream()
                .filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList());
        assertThat(copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey))
                .as("a key is mailed again only after a kill caught it accepted but not marked").isSubsetOf(windowKeys);
        for (String key : copies.keySet()) {
            assertThat(copies.get(key) - 1).as("copies of %s: one per time a kill caught it in the window", key)
                    .isLessThanOrEqualTo((int) windowKeys.stream().filter(key::equals).count());
        }
        if (TestEngine.onPostgres()) {
            // one sender thread: a kill can catch at most one message between SMTP acceptance and its mark. (The
            // embedded H2 at times loses a SIGKILLed process's last committed writes, delivery marks included, so
            // there a kill can leave several; see README "Trading reports".)
            assertThat(windows).as("messages accepted but not marked, per kill").allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(1));
            assertThat(duplicates).as("duplicates <= kills that landed during a send").isLessThanOrEqualTo((int) killsDuringSend);
        }

        BigDecimal mailed = BigDecimal.ZERO;
        BigDecimal independent = BigDecimal.ZERO;
        for (Map.Entry<String, List<MimeMessage>> e : byKey.entrySet()) {
            String[] addressAndAmount = expected.get(e.getKey()).split(" ");
            for (MimeMessage m : e.getValue()) {
                assertThat(m.getRecipients(RecipientType.TO)[0].toString()).isEqualTo(addressAndAmount[0]);
                assertThat(m.getContent().toString()).contains("is " + addressAndAmount[1] + " USD");
            }
            mailed = mailed.add(new BigDecimal(e.getValue().get(0).getContent().toString().replaceAll("(?s).* is (-?[0-9.]+) USD.*", "$1")));
            independent = independent.add(new BigDecimal(addressAndAmount[1]));
        }
        assertThat(mailed).isEqualTo(independent);

        Map<String, String> outbox = outboxStatus(settings);
        outbox.keySet().removeIf(k -> k.startsWith("commission-skipped/"));
        assertThat(outbox).as("one outbox message per payable row, marked delivered")
                .containsOnlyKeys(expected.keySet()).allSatisfy((k, status) -> assertThat(status).isEqualTo("sent"));
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            assertThat(rows(c, "select follower_id, year, month from commission_monthly where is_payable = true and follower_id <> 7 and (sent = false or sent_at is null)"))
                    .as("every payable row with an address marked sent").isEqualTo("[]");
            assertThat(rows(c, "select follower_id, year, month, sent, sent_at from commission_monthly where is_payable = false or sent = true and sent_at < CURRENT_DATE - 30 or follower_id = 7 order by 1, 2, 3"))
                    .as("non-payable, already sent and skipped rows untouched").isEqualTo(before);
        }
    }

    /** How many times GreenMail received each idempotency key so far. */
    private Map<String, Integer> copies() throws Exception {
        Map<String, Integer> copies = new TreeMap<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            copies.merge(m.getHeader(Dispatcher.IDEMPOTENCY_HEADER)[0], 1, Integer::sum);
        }
        return copies;
    }

    /** The engine database as the children use it (H2: opened read-only, so that the test changes nothing). */
    private static Connection engineDb(Map<String, String> settings) throws Exception {
        String url = settings.get("runbook.db.url");
        return DriverManager.getConnection(url.startsWith("jdbc:h2:") ? url + ";ACCESS_MODE_DATA=r" : url,
                settings.getOrDefault("runbook.db.user", "sa"), settings.getOrDefault("runbook.db.password", ""));
    }

    /** Each outbox message's status by idempotency key, as committed (the killed process is gone). */
    private static Map<String, String> outboxStatus(Map<String, String> settings) throws Exception {
        Map<String, String> status = new HashMap<>();
        try (Connection c = engineDb(settings);
             PreparedStatement ps = c.prepareStatement("select idempotency_key, status from notification");
             ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                status.put(r.getString(1), r.getString(2));
            }
        }
        return status;
    }

    /** Settings shared by every start: the same engine and trading databases (H2 files with OS locks, or PostgreSQL). */
    private Map<String, String> settings(Path data) throws Exception {
        Map<String, String> s = new HashMap<>(TestEngine.databaseProperties());
        s.putAll(TradingTestDb.properties(data));
        // H2 as shipped (WRITE_DELAY=0: a commit survives the kill); FILE_LOCK=FS: the OS drops a killed process's lock
        s.putIfAbsent("runbook.db.url", "jdbc:h2:file:" + data.resolve("runbook") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;FILE_LOCK=FS");
        if (s.get("runbook.trading.db.url").startsWith("jdbc:h2:")) {
            s.put("runbook.trading.db.url", s.get("runbook.trading.db.url") + ";WRITE_DELAY=0;FILE_LOCK=FS");
        }
        s.put("runbook.data-dir", data.toString());
        s.put("runbook.api.token", TestEngine.TOKEN);
        s.put("camel.server.host", "127.0.0.1");
        s.put("runbook.trading.demo", "false");
        s.put("runbook.reports.email-to", "ops@example.com");
        s.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + greenMail.getSmtp().getPort() + "?connectionTimeout=2000");
        s.put("runbook.notify.poll", "100ms");
        s.put("runbook.notify.backoff", "100ms");
        // a short lease so that a killed process's claims are due again soon; the send timeout must stay below it
        s.put("runbook.notify.lease", "3s");
        s.put("runbook.notify.send-timeout", "2s");
        // one sender thread: a kill then catches at most one message between "SMTP accepted" and "marked delivered"
        s.put("runbook.notify.threads", "1");
        return s;
    }

    /**
     * Followers 1..FOLLOWERS, follower 7 without an address; per follower a payable unsent row (October), every
     * third one also September; every fifth a non-payable row, every seventh an old row already sent. Returns the
     * expected emails: key to "address amount" (amount rounded half-even to cents, computed here independently).
     */
    private Map<String, String> seed(String url, String user, String password) throws Exception {
        Map<String, String> expected = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement f = c.prepareStatement("insert into followers (id, name, email, commission_rate) values (?, ?, ?, 0.1)");
             PreparedStatement cm = c.prepareStatement("insert into commission_monthly (follower_id, year, month, commission_amount, is_payable, sent, sent_at) values (?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= FOLLOWERS; i++) {
                String email = i == 7 ? null : "follower" + i + "@example.com";
                f.setLong(1, i);
                f.setString(2, "Follower " + i);
                f.setString(3, email);
                f.executeUpdate();
                row(cm, i, 10, true, false, expected, email);
                if (i % 3 == 0) {
                    row(cm, i, 9, true, false, expected, email);
                }
                if (i % 5 == 0) {
                    row(cm, i, 8, false, false, expected, email);
                }
                if (i % 7 == 0) {
                    row(cm, i, 6, true, true, expected, email);
                }
            }
        }
        return expected;
    }

    private void row(PreparedStatement ps, long follower, int month, boolean payable, boolean sent, Map<String, String> expected,
                     String email) throws Exception {
        BigDecimal amount = payable ? BigDecimal.valueOf(random.nextInt(1_000_000), 2) : BigDecimal.ZERO.setScale(2);
        ps.setLong(1, follower);
        ps.setInt(2, 2026);
        ps.setInt(3, month);
        ps.setBigDecimal(4, amount);
        ps.setBoolean(5, payable);
        ps.setBoolean(6, sent);
        ps.setObject(7, sent ? java.time.OffsetDateTime.parse("2026-07-07T09:00:00Z") : null);
        ps.executeUpdate();
        if (payable && !sent && email != null) {
            expected.put("commission/" + follower + "/2026/" + month, email + " " + amount.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        }
    }

    private static String rows(Connection c, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    cells.add(String.valueOf(r.getObject(i)));
                }
                rows.add(String.join(" ", cells));
            }
        }
        return rows.toString();
    }

    private record Child(Process process, List<String> lines, long started) {
    }

    /** Starts {@link CommissionJobProcess} and returns once it printed RUNNING (its engine is up). */
    private Child start(Path base, Path data, Map<String, String> settings) throws Exception {
        Properties p = new Properties();
        p.putAll(settings);
        p.put("camel.server.port", Integer.toString(TestEngine.freePort()));
        Path file = dir.resolve("child.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path"),
                CommissionJobProcess.class.getName(), base.toString(), file.toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile())).start();
        List<String> lines = EngineProcess.lines(process);
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> lines.contains("RUNNING") || !process.isAlive());
        assertThat(process.isAlive() || lines.contains("RUNNING")).as("child started: %s", lines).isTrue();
        return new Child(process, lines, System.nanoTime());
    }
}
