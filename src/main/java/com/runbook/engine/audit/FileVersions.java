package com.runbook.engine.audit;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Audit;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.FileState;
import com.runbook.engine.definition.Runbooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every runbook and schedule file applied or refused leaves its entry: told the state of every file after the start
 * and after each reload, it records {@code reload.applied} for each file whose content differs from the version last
 * applied (kept in {@code file_version}: path, SHA-256, content), {@code reload.refused} for each refused content not
 * reported yet, and {@code reload.applied} with {@code removed: true} for a file gone from the folders. An entry holds
 * the file, the SHA-256 of its content and the unified diff against the version last applied (the version in force);
 * an applied one is written in the transaction that makes it the version kept, so the kept version and its entry go
 * together; the entries of one start or reload share one transaction (a start with many files commits once).
 * Several engines on one database record each change once: the kept version is replaced only from the
 * version this engine saw (a compare-and-set), and an engine that lost that race records nothing.
 * <p>
 * The content is read from the file as the listener is told (just after the engine read it): an edit landing in
 * between is the next reload's. The first start on a database records every file as applied against nothing; a
 * restart records only what changed meanwhile. Actor: {@code engine:start} for the start's load,
 * {@code engine:file-watcher} for a reload.
 */
public final class FileVersions implements Runbooks.Listener {
    /** The longest diff an entry holds (characters); a longer one is cut at a line and says how many lines it left out. */
    static final int MAX_DIFF = 20_000;
    private static final Logger LOG = LoggerFactory.getLogger(FileVersions.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Audit audit;
    private final Path base;
    /** The SHA-256 of the refused content of each file that was reported (not reported again until it changes). */
    private final Map<String, String> refusedReported = new HashMap<>();
    private boolean started;

    /** @param base the folder holding {@code routes/} and {@code schedules/} (file states name files relative to it) */
    public FileVersions(DataSource db, Audit audit, Path base) {
        this.jdbc = new JdbcTemplate(db);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(db));
        this.audit = audit;
        this.base = base;
    }

    /** A file's content as last applied. */
    record Version(String sha256, String content) {
    }

    /** One file's change to record: its entry, and the statement that makes its version the one kept (null: none). */
    private record Change(String file, AuditEntry entry, String sql, Object[] args) {
    }

    @Override
    public synchronized void changed(List<FileState> states) {
        Actor actor = started ? Actor.engine("file-watcher") : Actor.engine("start");
        started = true;
        Map<String, String> keptSha = new HashMap<>();
        jdbc.query("select path, sha256 from file_version", rs -> {
            keptSha.put(rs.getString(1), rs.getString(2));
        });
        List<Change> changes = new ArrayList<>();
        Map<String, String> reported = new HashMap<>();
        Set<String> present = new TreeSet<>();
        for (FileState state : states) {
            present.add(state.file());
            try {
                Optional<String> content = read(state.file());
                if (content.isEmpty()) {
                    continue;   // gone again since: its removal is the next reload's
                }
                String sha = sha256(content.get());
                String before = keptSha.get(state.file());
                if (state.refused()) {
                    if (!sha.equals(refusedReported.get(state.file()))) {
                        Version inForce = before == null ? null : kept(state.file()).orElse(null);
                        changes.add(new Change(state.file(), refusedEntry(state, sha, inForce, content.get(), actor), null, null));
                        reported.put(state.file(), sha);
                    }
                    continue;
                }
                refusedReported.remove(state.file());
                if (sha.equals(before)) {
                    continue;
                }
                Version previous = before == null ? null : kept(state.file()).orElse(null);
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                changes.add(before == null
                        ? new Change(state.file(), appliedEntry(state.file(), sha, null, content.get(), actor),
                        "insert into file_version (path, sha256, content, applied_at) values (?, ?, ?, ?)",
                        new Object[] {state.file(), sha, content.get(), now})
                        : new Change(state.file(), appliedEntry(state.file(), sha, previous, content.get(), actor),
                        "update file_version set sha256 = ?, content = ?, applied_at = ? where path = ? and sha256 = ?",
                        new Object[] {sha, content.get(), now, state.file(), before}));
            } catch (RuntimeException e) {
                LOG.error("Could not record the audit entry of {} ({})", state.file(), state.status(), e);
            }
        }
        keptSha.keySet().stream().filter(file -> !present.contains(file)).forEach(file -> {
            Version before = kept(file).orElse(null);
            if (before != null) {
                changes.add(new Change(file, removedEntry(file, before, actor),
                        "delete from file_version where path = ? and sha256 = ?", new Object[] {file, before.sha256()}));
            }
        });
        record(changes);
        refusedReported.putAll(reported);
        refusedReported.keySet().retainAll(present);
    }

    /**
     * Records the changes in one transaction (a start with many files commits once); should another engine have
     * recorded one of them first (a key taken), each is recorded again in a transaction of its own.
     */
    private void record(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        try {
            transactions.executeWithoutResult(tx -> changes.forEach(this::apply));
        } catch (DuplicateKeyException e) {
            for (Change change : changes) {
                try {
                    transactions.executeWithoutResult(tx -> apply(change));
                } catch (DuplicateKeyException taken) {
                    LOG.debug("{} was recorded by another engine", change.file());
                } catch (RuntimeException other) {
                    LOG.error("Could not record the audit entry of {}", change.file(), other);
                }
            }
        }
    }

    /** The kept version's change (compare-and-set: none when another engine changed it first) and, if made, its entry. */
    private void apply(Change change) {
        if (change.sql() == null || jdbc.update(change.sql(), change.args()) == 1) {
            audit.record(change.entry());
        }
    }

    private Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(base.resolve(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The version of {@code file} last applied, if any. */
    Optional<Version> kept(String file) {
        return jdbc.query("select sha256, content from file_version where path = ?",
                (rs, n) -> new Version(rs.getString(1), rs.getString(2)), file).stream().findFirst();
    }

    /** {@code reload.applied} of a file gone from the folders: {@code removed: true}, the diff to nothing. */
    static AuditEntry removedEntry(String file, Version before, Actor actor) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("file", file);
        detail.put("removed", true);
        detail.put("sha256", null);
        detail.put("previousSha256", before.sha256());
        detail.put("diff", diff(file, before.content(), ""));
        return new AuditEntry(AuditAction.RELOAD_APPLIED, actor, null, file, detail);
    }

    /** {@code reload.applied}: file, SHA-256, the previous version's SHA-256 (null: none) and the unified diff against it. */
    static AuditEntry appliedEntry(String file, String sha, Version before, String content, Actor actor) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("file", file);
        detail.put("sha256", sha);
        detail.put("previousSha256", before == null ? null : before.sha256());
        detail.put("diff", diff(file, before == null ? "" : before.content(), content));
        return new AuditEntry(AuditAction.RELOAD_APPLIED, actor, null, file, detail);
    }

    /**
     * {@code reload.refused}: file, SHA-256 of the refused content, the SHA-256 of the version in force (null: none),
     * the unified diff against it, the problems, and whether that earlier version keeps running.
     */
    static AuditEntry refusedEntry(FileState state, String sha, Version inForce, String content, Actor actor) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("file", state.file());
        detail.put("sha256", sha);
        detail.put("inForceSha256", inForce == null ? null : inForce.sha256());
        detail.put("diff", diff(state.file(), inForce == null ? "" : inForce.content(), content));
        detail.put("problems", List.copyOf(state.problems()));
        detail.put("previousVersionRunning", state.previousVersionRunning());
        return new AuditEntry(AuditAction.RELOAD_REFUSED, actor, null, state.file(), detail);
    }

    /** The unified diff (3 lines of context) from {@code before} to {@code after}, within {@link #MAX_DIFF} characters. */
    static String diff(String file, String before, String after) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("a/" + file, "b/" + file, a, DiffUtils.diff(a, b), 3);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < diff.size(); i++) {
            String line = diff.get(i);
            if (out.length() + line.length() + 1 > MAX_DIFF) {
                out.append("... (diff cut: ").append(diff.size() - i).append(" more lines)\n");
                break;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : new ArrayList<>(List.of(text.split("\r?\n", -1)));
    }

    /** Lower-case hex SHA-256 of the text's UTF-8 bytes. */
    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
