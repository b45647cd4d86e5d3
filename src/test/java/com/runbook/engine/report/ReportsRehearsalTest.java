package com.runbook.engine.report;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.runbook.engine.Engine;
import com.runbook.engine.TableSnapshot;
import com.runbook.engine.TestEngine;
import com.runbook.engine.backup.Rehearsals;
import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dry runs of the shipped report runbooks (weekly-commission-emails, daily-pnl, monthly-report) on the demo trading
 * database with the real outbox delivering to GreenMail (email) and to the data folder (Telegram): a dry run leaves
 * GreenMail, the data folder's messages, reports and object copies, and every table but the run's own rows exactly as
 * before; its plan lists the effects the real run started right after it has.
 * <p>The assertions marked "the dry-run module's part" are about its recorder of remote endpoints (the {@code sql:}
 * UPDATE) and its outbox (which plans the emails and Telegram messages); the others about the report beans' own
 * dry-run handling.
 */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsRehearsalTest {
    private static final ZoneId NY = ZoneId.of("America/New_York");
    @TempDir
    static Path dir;
    Engine engine;
    DataSource trading;
    GreenMail greenMail;
    Rehearsals rehearsals;

    @BeforeAll
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(TestEngine.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        Map<String, String> props = new HashMap<>(TradingTestDb.properties(dir.resolve("data")));
        props.put("runbook.trading.demo", "true");
        props.put("runbook.reports.email-to", "ops@example.com");
        props.put("runbook.notify.email.uri", "smtp://127.0.0.1:" + greenMail.getSmtp().getPort() + "?connectionTimeout=2000");
        props.put("runbook.notify.poll", "100ms");
        props.put("runbook.notify.backoff", "100ms");
        Path base = TestEngine.copyShippedRunbooks(dir.resolve("base"));
        // no scheduled fire during a comparison: the watchdog's ticks would take its lock
        Files.delete(base.resolve("schedules/health-watchdog.yaml"));
        engine = TestEngine.start(base, dir.resolve("data"), props);
        rehearsals = Rehearsals.of(engine);
        trading = engine.context().getRegistry().lookupByNameAndType("trading", DataSource.class);
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
        greenMail.stop();
    }

    /** What the engine can change outside its databases: every file under the data folder's outbox, reports, objects. */
    private Map<String, Long> files() throws IOException {
        Map<String, Long> files = new TreeMap<>();
        for (String sub : List.of("outbox", "reports", "objects")) {
            Path root = dir.resolve("data").resolve(sub);
            if (Files.isDirectory(root)) {
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path f : all.filter(Files::isRegularFile).toList()) {
                        files.put(dir.relativize(f).toString(), Files.size(f));
                    }
                }
            }
        }
        return files;
    }

    private long count(String sql, Object... params) throws Exception {
        try (Connection c = trading.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What can change: both databases (but the run rows), GreenMail, the data folder's files. */
    private record World(Map<String, List<String>> engineTables, Map<String, List<String>> tradingTables,
                         Set<String> mailIds, Map<String, Long> files) {
        int mails() {
            return mailIds.size();
        }
    }

    private World world() throws Exception {
        TestEngine.awaitOutboxDelivered(engine);
        return new World(TableSnapshot.exceptRuns(engine.dataSource()), TableSnapshot.exceptRuns(trading),
                mailIds(List.of(greenMail.getReceivedMessages())), files());
    }

    /** Fails naming what changed between the two. */
    private static void assertSame(World before, World after) {
        Rehearsals.assertUnchanged("the engine database", before.engineTables(), after.engineTables());
        Rehearsals.assertUnchanged("the trading database", before.tradingTables(), after.tradingTables());
        assertThat(after.files()).as("the data folder's files").isEqualTo(before.files());
        assertThat(after.mailIds()).as("mails received by GreenMail").isEqualTo(before.mailIds());
    }

    /**
     * The mails GreenMail received since {@code before}: by Message-ID, since GreenMail lists its messages mailbox by
     * mailbox, not in the order they arrived.
     */
    private List<MimeMessage> mailSince(World before) throws Exception {
        List<MimeMessage> since = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            if (!before.mailIds().contains(m.getMessageID())) {
                since.add(m);
            }
        }
        return since;
    }

    private static Set<String> mailIds(List<MimeMessage> mails) throws Exception {
        Set<String> ids = new HashSet<>();
        for (MimeMessage m : mails) {
            ids.add(m.getMessageID());
        }
        return ids;
    }

    private static List<String> effects(List<DryRun.Effect> plan) {
        return plan.stream().map(e -> e.kind() + ": " + e.effect()).toList();
    }

    @Test
    void aDryRunOfTheDailyPnlChangesNothingAndPlansTheReplaceTheRealRunThenDoes() throws Exception {
        TradingCalendar calendar = engine.context().getRegistry().lookupByNameAndType("tradingCalendar", TradingCalendar.class);
        LocalDate day = calendar.lastClosedTradingDay(Instant.now());
        World before = world();

        RunEnd dry = rehearsals.dryRun("daily-pnl", Map.of("day", day.toString()));

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        World afterDry = world();
        Rehearsals.assertUnchanged("the trading database", before.tradingTables(), afterDry.tradingTables());
        List<DryRun.Effect> plan = rehearsals.plan(dry.id());
        long stored = count("select count(*) from daily_pnl where trade_date = ?", day);
        assertThat(effects(plan)).filteredOn(e -> e.startsWith("sql: ")).singleElement().asString()
                .matches("sql: replace the " + stored + " daily_pnl rows of " + day + " with (\\d+) follower rows \\(trading database\\)");
        String followers = effects(plan).stream().filter(e -> e.startsWith("sql: ")).findFirst().orElseThrow()
                .replaceAll(".* with (\\d+) follower rows.*", "$1");

        RunEnd real = rehearsals.realRun("daily-pnl", Map.of("day", day.toString()));

        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(count("select count(*) from daily_pnl where trade_date = ?", day)).isEqualTo(Long.parseLong(followers)).isPositive();

        // the dry-run module's part: the outbox plans the summary (email and Telegram) instead of queueing it
        assertSame(before, afterDry);
        await().atMost(Duration.ofSeconds(30)).until(() -> mailSince(before).size() == 1);
        String subject = mailSince(before).get(0).getSubject();
        assertThat(subject).startsWith("Daily P&L " + day + ": net ");
        assertThat(effects(plan)).filteredOn(e -> e.contains(subject)).hasSize(2);
    }

    @Test
    void aDryRunOfTheCommissionEmailsChangesNothingAndPlansTheEmailsAndTheUpdateTheRealRunThenDoes() throws Exception {
        World before = world();
        long unsent = count("select count(*) from commission_monthly where sent = false and is_payable = true");
        assertThat(unsent).isPositive();

        RunEnd dry = rehearsals.dryRun("weekly-commission-emails", Map.of());

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        List<DryRun.Effect> plan = rehearsals.plan(dry.id());

        // the dry-run module's part: the sql UPDATE is recorded, the emails planned, not queued or sent
        World afterDry = world();
        assertSame(before, afterDry);
        assertThat(count("select count(*) from commission_monthly where sent = false and is_payable = true")).isEqualTo(unsent);

        RunEnd real = rehearsals.realRun("weekly-commission-emails", Map.of());

        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        long sentNow = unsent - count("select count(*) from commission_monthly where sent = false and is_payable = true");
        assertThat(sentNow).isPositive();
        TestEngine.awaitOutboxDelivered(engine);
        List<String> recipients = new ArrayList<>();
        for (MimeMessage m : mailSince(before)) {
            if (m.getSubject().startsWith("Your commission statement for ")) {
                recipients.add(m.getRecipients(RecipientType.TO)[0].toString());
            }
        }
        assertThat(recipients).hasSize((int) sentNow);
        for (String to : recipients) {
            assertThat(effects(plan)).as("planned email to " + to).anyMatch(e -> e.contains(to));
        }
        assertThat(effects(plan)).anyMatch(e -> e.startsWith("sql: ") && e.contains("UPDATE commission_monthly"));
    }

    @Test
    void aDryRunOfTheMonthlyReportWritesNoFileAndPlansTheFilesAndCopiesTheRealRunThenWrites() throws Exception {
        YearMonth month = YearMonth.now(NY).minusMonths(1);
        World before = world();

        RunEnd dry = rehearsals.dryRun("monthly-report", Map.of("month", month.toString()));

        assertThat(dry.status()).as(String.valueOf(dry.error())).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(files()).isEqualTo(before.files());
        List<DryRun.Effect> plan = rehearsals.plan(dry.id());
        Path reports = dir.resolve("data/reports");
        Path objects = dir.resolve("data/objects/reports/" + month.getYear() + "/" + String.format("%02d", month.getMonthValue()));
        String name = "monthly-report-" + month;
        assertThat(effects(plan)).filteredOn(e -> e.startsWith("file: ")).containsExactly(
                "file: write " + reports.resolve(name + ".csv"), "file: write " + reports.resolve(name + ".html"),
                "file: upload " + objects.resolve(name + ".csv") + " (monthly report copy)",
                "file: upload " + objects.resolve(name + ".html") + " (monthly report copy)");

        RunEnd real = rehearsals.realRun("monthly-report", Map.of("month", month.toString()));

        assertThat(real.status()).as(String.valueOf(real.error())).isEqualTo(RunStatus.SUCCEEDED);
        for (Path written : List.of(reports.resolve(name + ".csv"), reports.resolve(name + ".html"),
                objects.resolve(name + ".csv"), objects.resolve(name + ".html"))) {
            assertThat(written).exists();
        }

        // the dry-run module's part: the outbox plans the email instead of queueing it
        World after = world();
        assertThat(after.mails()).isEqualTo(before.mails() + 1);
        Rehearsals.assertUnchanged("the trading database", before.tradingTables(), after.tradingTables());
        assertThat(effects(plan)).anyMatch(e -> e.contains("Monthly report "));
    }
}
