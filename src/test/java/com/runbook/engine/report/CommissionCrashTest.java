package com.runbook.engine.report;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.TestEngine;
import com.runbook.engine.notify.Dispatcher;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Exactly once, measured": the shipped weekly-commission-emails job in a separate JVM on the same databases, killed
 * with SIGKILL at ten varied moments (alternately a random time into the job's render/queue/mark, and a random
 * number of emails into the outbox's delivery), restarted each time, then left to finish. Every payable row must end sent and every follower must have
 * its email, each idempotency key delivered once. The one window no SMTP outbox can close (the server accepted the
 * message, the process died before the outbox marked it delivered) re-sends that message with the same
 * X-Idempotency-Key: the test tolerates such copies only with the same key and the same content, and prints their
 * number (measured: more than one per kill at times, see README).
 */
@Tag("db")
class CommissionCrashTest {
    private static final int FOLLOWERS = 240;
    private static final int KILLS = 10;

    @TempDir
    Path dir;
    GreenMail greenMail;
    final Random random = new Random();

    @AfterEach
    void stop() {
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
        for (int attempt = 0; kills.size() < KILLS && attempt < 2 * KILLS; attempt++) {
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
                child.process.waitFor(random.nextInt(25), TimeUnit.MILLISECONDS);
            }
            if (child.process.isAlive()) {
                child.process.destroyForcibly().waitFor();
                kills.add((System.nanoTime() - child.started) / 1_000_000 + " ms after RUNNING, "
                        + (greenMail.getReceivedMessages().length - delivered) + " emails");
            }
        }
        assertThat(kills).as("SIGKILLs while the job or the outbox was working").hasSize(KILLS);
        Child last = start(base, data, settings);
        assertThat(last.process.waitFor(90, TimeUnit.SECONDS)).as("last run finishes").isTrue();
        assertThat(last.lines).contains("run succeeded", "DONE");

        // every key once (a copy only from the SMTP-accepted-but-not-marked window, with the same key)
        Map<String, List<MimeMessage>> byKey = new TreeMap<>();
        List<MimeMessage> skipped = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            String[] key = m.getHeader(Dispatcher.IDEMPOTENCY_HEADER);
            assertThat(key).as("every email carries its idempotency key").isNotNull();
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
        assertThat(byKey.keySet()).as("one email per payable row with an address, none lost").isEqualTo(expected.keySet());
        int copies = greenMail.getReceivedMessages().length - skipped.size() - byKey.size();
        System.out.println("commission crash test: " + kills + "; " + byKey.size() + " keys delivered, " + copies
                + " duplicate(s) from the accepted-not-marked window");
        for (List<MimeMessage> copiesOfOne : byKey.values()) {
            for (MimeMessage m : copiesOfOne) {
                assertThat(m.getContent().toString()).as("a copy is the same message").isEqualTo(copiesOfOne.get(0).getContent().toString());
            }
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

        try (Connection c = DriverManager.getConnection(url, user, password)) {
            assertThat(rows(c, "select follower_id, year, month from commission_monthly where is_payable = true and follower_id <> 7 and (sent = false or sent_at is null)"))
                    .as("every payable row with an address marked sent").isEqualTo("[]");
            assertThat(rows(c, "select follower_id, year, month, sent, sent_at from commission_monthly where is_payable = false or sent = true and sent_at < CURRENT_DATE - 30 or follower_id = 7 order by 1, 2, 3"))
                    .as("non-payable, already sent and skipped rows untouched").isEqualTo(before);
        }
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
        s.put("runbook.notify.lease", "1s");
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
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> lines.contains("RUNNING") || !process.isAlive());
        assertThat(process.isAlive() || lines.contains("RUNNING")).as("child started: %s", lines).isTrue();
        return new Child(process, lines, System.nanoTime());
    }
}
