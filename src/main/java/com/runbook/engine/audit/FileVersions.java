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
 * together. Several engines on one database record each change once: the kept version is replaced only from the
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

    @Override
    public synchronized void changed(List<FileState> states) {
        Actor actor = started ? Actor.engine("file-watcher") : Actor.engine("start");
        started = true;
        Set<String> present = new TreeSet<>();
        for (FileState state : states) {
            present.add(state.file());
            try {
                Optional<String> content = read(state.file());
                if (content.isEmpty()) {
                    continue;   // gone again since: its removal is the next reload's
                }
                if (state.refused()) {
                    refused(state, content.get(), actor);
                } else {
                    refusedReported.remove(state.file());
                    applied(state.file(), content.get(), actor);
                }
            } catch (RuntimeException e) {
                LOG.error("Could not record the audit entry of {} ({})", state.file(), state.status(), e);
            }
        }
        for (String gone : jdbc.queryForList("select path from file_version", String.class)) {
            if (!present.contains(gone)) {
                try {
                    removed(gone, actor);
                } catch (RuntimeException e) {
                    LOG.error("Could not record the audit entry of the removal of {}", gone, e);
                }
            }
        }
        refusedReported.keySet().retainAll(present);
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

    private void applied(String file, String content, Actor actor) {
        String sha = sha256(content);
        Optional<Version> before = kept(file);
        if (before.isPresent() && before.get().sha256().equals(sha)) {
            return;
        }
        try {
            transactions.executeWithoutResult(tx -> {
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                int n = before.isEmpty()
                        ? jdbc.update("insert into file_version (path, sha256, content, applied_at) values (?, ?, ?, ?)",
                        file, sha, content, now)
                        : jdbc.update("update file_version set sha256 = ?, content = ?, applied_at = ? where path = ? and sha256 = ?",
                        sha, content, now, file, before.get().sha256());
                if (n == 1) {
                    audit.record(appliedEntry(file, sha, before.orElse(null), content, actor));
                }
            });
        } catch (DuplicateKeyException e) {
            LOG.debug("{} was recorded by another engine", file);
        }
    }

    private void refused(FileState state, String content, Actor actor) {
        String sha = sha256(content);
        if (sha.equals(refusedReported.get(state.file()))) {
            return;
        }
        Optional<Version> inForce = kept(state.file());
        transactions.executeWithoutResult(tx -> audit.record(refusedEntry(state, sha, inForce.orElse(null), content, actor)));
        refusedReported.put(state.file(), sha);
    }

    private void removed(String file, Actor actor) {
        Optional<Version> before = kept(file);
        if (before.isEmpty()) {
            return;
        }
        transactions.executeWithoutResult(tx -> {
            if (jdbc.update("delete from file_version where path = ? and sha256 = ?", file, before.get().sha256()) == 1) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("file", file);
                detail.put("removed", true);
                detail.put("sha256", null);
                detail.put("previousSha256", before.get().sha256());
                detail.put("diff", diff(file, before.get().content(), ""));
                audit.record(new AuditEntry(AuditAction.RELOAD_APPLIED, actor, null, file, detail));
            }
        });
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
