package com.runbook.engine.backup;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import com.runbook.engine.core.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The bean {@code restoreDrill} routes/backup-restore-drill.camel.yaml calls: the newest verified backup of a
 * database source is downloaded (its SHA-256 checked against backup_object), restored into a scratch database
 * (PostgreSQL: a new database on the same server, pg_restore, dropped afterwards; H2: RUNSCRIPT into a fresh
 * in-memory database) and its row counts compared table by table with the live database. The result is mailed;
 * a failed drill raises a P2 "RestoreDrillFailed" incident and fails the run.
 * <p>In a dry run the backup is still downloaded and its checksum checked (reads), and an H2 backup is restored into
 * its in-memory database (nothing outside this process changes); a PostgreSQL restore, which creates and drops a
 * database on the server, is planned instead. The mail and the incidents go to the notifier and the incident service,
 * which plan them in turn.
 */
public class RestoreDrill {
    static final String JOB = "backup-restore-drill";
    private static final Logger LOG = LoggerFactory.getLogger(RestoreDrill.class);

    /** The outcome of one source's drill: the object restored, and per table the restored and live row counts. */
    record Outcome(String source, String key, boolean ok, String detail) {
    }

    private final BackupService backups;
    private final Path tmpDir;
    private final String pgRestore;
    private final Supplier<Notifier> notifier;
    private final Supplier<IncidentRaiser> incidents;
    private final String recipient;
    private final String priority;

    RestoreDrill(BackupService backups, Path tmpDir, String pgRestore, Supplier<Notifier> notifier,
                        Supplier<IncidentRaiser> incidents, String recipient, String priority) {
        this.backups = backups;
        this.tmpDir = tmpDir;
        this.pgRestore = pgRestore;
        this.notifier = notifier;
        this.incidents = incidents;
        this.recipient = recipient == null || recipient.isBlank() ? null : recipient.trim();
        this.priority = priority;
    }

    /** The sources a drill without {@code source} covers: the nightly ones that are databases. */
    List<String> defaultSources() {
        return backups.sourceNames().stream().filter(n -> restorable(backups.source(n))).toList();
    }

    private static boolean restorable(BackupSource s) {
        return s instanceof PostgresSource || s instanceof H2Source;
    }

    /** Drills {@code source} (blank: every nightly database source), mails the result, throws when one failed. */
    @DryRunSafe
    public String run(String source, long runId) {
        List<String> names = source == null || source.isBlank() ? defaultSources() : List.of(source.trim());
        if (names.isEmpty()) {
            throw new IllegalStateException("no database backup source to drill (runbook.backup.sources lists none)");
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : names) {
            Outcome o = drill(name);
            outcomes.add(o);
            IncidentRaiser raiser = incidents.get();
            if (raiser == null) {
                continue;
            }
            String key = "RestoreDrillFailed/" + name;
            if (o.ok()) {
                raiser.resolve(key, "restore drill of " + o.key() + " succeeded in run " + runId);
            } else {
                raiser.raise(key, priority, "RestoreDrillFailed: " + name,
                        "The restore drill of " + name + " failed in run " + runId + ": " + o.detail(),
                        Map.of("alertname", "RestoreDrillFailed", "source", name, "job", JOB, "run", Long.toString(runId)));
            }
        }
        List<String> failed = outcomes.stream().filter(o -> !o.ok()).map(Outcome::source).toList();
        String subject = "Restore drill " + (failed.isEmpty() ? "succeeded" : "FAILED") + ": "
                + String.join(", ", failed.isEmpty() ? names : failed) + " (run " + runId + ")";
        StringBuilder body = new StringBuilder(subject).append("\n");
        for (Outcome o : outcomes) {
            body.append("\n").append(o.source()).append(": ").append(o.ok() ? "OK" : "FAILED")
                    .append(o.key() == null ? "" : " (" + o.key() + ")").append("\n").append(o.detail()).append("\n");
        }
        Notifier n = notifier.get();
        if (n == null) {
            LOG.warn("No notifier bound ('notifier'): restore drill report only logged:\n{}", body);
        } else {
            n.enqueue("email", recipient, subject, body.toString(), JOB + "-" + runId, Map.of());
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("restore drill failed for " + outcomes.stream().filter(o -> !o.ok())
                    .map(o -> o.source() + " (" + o.detail() + ")").reduce((a, b) -> a + "; " + b).orElse(""));
        }
        return body.toString();
    }

    Outcome drill(String name) {
        String key = null;
        Path file = null;
        try {
            BackupSource source = backups.source(name);
            if (!restorable(source)) {
                throw new IllegalArgumentException("source " + name + " is not a database (only postgres, h2 and engine sources can be restored)");
            }
            BackupRecords.StoredObject o = backups.records().newestVerified(name)
                    .orElseThrow(() -> new IllegalStateException("no verified backup of " + name));
            key = o.key();
            Files.createDirectories(tmpDir);
            file = Files.createTempFile(tmpDir, "drill-", "." + source.extension());
            String sha = download(key, file);
            if (!sha.equals(o.sha256())) {
                throw new IOException("checksum mismatch for " + key + ": sha256 " + sha + ", recorded " + o.sha256());
            }
            Map<String, Long> restored;
            Map<String, Long> live;
            if (source instanceof PostgresSource pg) {
                PostgresSource.Target t = PostgresSource.parse(pg.jdbcUrl());
                String schema = t.schema() == null ? "public" : t.schema();
                java.util.Optional<DryRun> plan = DryRun.current();
                if (plan.isPresent()) {
                    plan.get().wouldDo("sql", "restore " + key + " into a scratch database on " + t.host() + ":" + t.port()
                            + " (pg_restore), compare its row counts with " + name + ", drop it");
                    return new Outcome(name, key, true, "checksum verified; the restore into a scratch database is planned (dry run)");
                }
                restored = restorePostgres(pg, t, schema, file);
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                    live = counts(c, schema);
                }
            } else {
                H2Source h2 = (H2Source) source;
                restored = restoreH2(file);
                try (Connection c = h2.dataSource().getConnection()) {
                    live = counts(c, "PUBLIC");
                }
            }
            return compare(name, key, restored, live);
        } catch (Exception e) {
            String why = Maintenance.message(e);
            LOG.error("Restore drill of {} failed: {}", name, why);
            return new Outcome(name, key, false, why);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private String download(String key, Path file) throws Exception {
        MessageDigest sha = BackupService.sha256();
        try (InputStream in = new DigestInputStream(backups.store().open(key), sha)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Every live table must be in the restore. Counts are shown side by side, and those that differ are marked: the
     * live database moves on after the dump (the engine's own tables do, by this very run), so a difference is
     * information for the reader, not a failure.
     */
    static Outcome compare(String source, String key, Map<String, Long> restored, Map<String, Long> live) {
        List<String> problems = new ArrayList<>();
        int differ = 0;
        StringBuilder table = new StringBuilder(String.format("%-32s %12s %12s%n", "table", "restored", "live"));
        for (Map.Entry<String, Long> e : live.entrySet()) {
            Long r = restored.get(e.getKey());
            boolean same = e.getValue().equals(r);
            differ += r != null && !same ? 1 : 0;
            table.append(String.format("%-32s %12s %12d%s%n", e.getKey(), r == null ? "missing" : r.toString(), e.getValue(),
                    same ? "" : " *"));
            if (r == null) {
                problems.add("table " + e.getKey() + " missing from the restore");
            }
        }
        if (restored.isEmpty()) {
            problems.add("the restore holds no tables");
        }
        String summary = problems.isEmpty()
                ? restored.size() + " tables restored, " + (differ == 0 ? "row counts equal to live" : differ + " differ from live (*: changed since the backup)")
                : String.join("; ", problems);
        return new Outcome(source, key, problems.isEmpty(), (summary + "\n" + table).stripTrailing());
    }

    private Map<String, Long> restorePostgres(PostgresSource pg, PostgresSource.Target t, String schema, Path file) throws Exception {
        String scratch = "drill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection admin = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement s = admin.createStatement()) {
            s.execute("create database " + scratch);
        }
        try {
            List<String> cmd = List.of(pgRestore, "--no-owner", "--no-privileges", "--exit-on-error", "--no-password",
                    "--host=" + t.host(), "--port=" + t.port(), "--username=" + pg.user(), "--dbname=" + scratch, file.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", pg.password() == null ? "" : pg.password());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("pg_restore did not finish within 30 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException("pg_restore exited with " + p.exitValue() + (out.isEmpty() ? "" : ": "
                        + (out.length() > 1000 ? out.substring(out.length() - 1000) : out)));
            }
            String url = "jdbc:postgresql://" + t.host() + ":" + t.port() + "/" + scratch;
            try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password())) {
                return counts(c, schema);
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 Statement s = admin.createStatement()) {
                s.execute("drop database if exists " + scratch + " with (force)");
            }
        }
    }

    private static Map<String, Long> restoreH2(Path file) throws SQLException {
        // the in-memory database lives as long as this one connection
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:drill-" + UUID.randomUUID(), "sa", "");
             Statement s = c.createStatement()) {
            s.execute("RUNSCRIPT FROM '" + file.toString().replace("'", "''") + "' COMPRESSION GZIP");
            return counts(c, "PUBLIC");
        }
    }

    /** Row count of every base table of {@code schema}, by name. */
    static Map<String, Long> counts(Connection c, String schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select table_name from information_schema.tables"
                + " where table_schema = ? and table_type = 'BASE TABLE'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("select count(*) from \"" + schema.replace("\"", "\"\"") + "\".\""
                        + t.replace("\"", "\"\"") + "\"")) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
