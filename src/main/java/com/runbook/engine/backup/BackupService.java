package com.runbook.engine.backup;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import com.runbook.engine.core.IncidentRaiser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The bean {@code backups} the backup runbooks call: dump a source, stream it to its final key (visible only once
 * complete) while computing its SHA-256, verify size and checksum, record it; apply retention.
 * A failure leaves nothing under the final key and opens a "BackupFailed" incident.
 * <p>In a dry run ({@link DryRun#current()}) nothing is dumped, uploaded, recorded or deleted: the plan gets
 * "upload &lt;location&gt; (...)" for each source and "delete &lt;location&gt; (retention)" for each copy retention
 * would delete, computed from the store's real listing plus the copies the run would have uploaded.
 */
public class BackupService {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    private final Map<String, BackupSource> sources;
    private final List<String> nightly;
    private final ObjectStore store;
    private final BackupRecords records;
    private final Supplier<IncidentRaiser> incidents;
    private final String incidentPriority;
    private final int keepDaily;
    private final int keepWeekly;
    private final boolean retentionDryRun;
    private final Clock clock;

    BackupService(Map<String, BackupSource> sources, ObjectStore store, BackupRecords records,
                         Supplier<IncidentRaiser> incidents, String incidentPriority, int keepDaily, int keepWeekly, boolean retentionDryRun, Clock clock) {
        this(sources, List.copyOf(sources.keySet()), store, records, incidents, incidentPriority, keepDaily, keepWeekly, retentionDryRun, clock);
    }

    /**
     * @param sources every known source (retention covers them all)
     * @param nightly the ones the nightly backup dumps ({@link #sourceNames()}); the others are backed up by other
     *                jobs (the Sunday maintenance's table exports)
     */
    BackupService(Map<String, BackupSource> sources, List<String> nightly, ObjectStore store, BackupRecords records,
                         Supplier<IncidentRaiser> incidents, String incidentPriority, int keepDaily, int keepWeekly, boolean retentionDryRun, Clock clock) {
        this.sources = sources;
        this.nightly = List.copyOf(nightly);
        this.store = store;
        this.records = records;
        this.incidents = incidents;
        this.incidentPriority = incidentPriority;
        this.keepDaily = keepDaily;
        this.keepWeekly = keepWeekly;
        this.retentionDryRun = retentionDryRun;
        this.clock = clock;
    }

    public ObjectStore store() {
        return store;
    }

    public BackupRecords records() {
        return records;
    }

    /** The sources the nightly backup dumps (runbook.backup.sources), in configuration order. */
    @DryRunSafe
    public List<String> sourceNames() {
        return nightly;
    }

    public BackupSource source(String name) {
        BackupSource s = sources.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown backup source '" + name + "' (configured: " + String.join(", ", sources.keySet()) + ")");
        }
        return s;
    }

    /**
     * Backs up one configured source. Never throws: a failure is returned as {@code status=failed} with the error,
     * and opens the "BackupFailed" incident; a success resolves it. In a dry run the outcome is
     * {@code status=planned} with the key it would have uploaded.
     */
    @DryRunSafe
    public Map<String, Object> backup(String sourceName, long runId) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("source", sourceName);
        try {
            BackupRecords.StoredObject o = store(source(sourceName), runId);
            outcome.put("status", o.verified() ? "succeeded" : PLANNED);
            outcome.put("key", o.key());
            if (o.verified()) {
                outcome.put("size", o.size());
                outcome.put("sha256", o.sha256());
            }
            IncidentRaiser raiser = incidents.get();
            if (raiser != null) {
                raiser.resolve(incidentKey(sourceName), "backup " + o.key() + " verified in run " + runId);
            }
        } catch (Exception e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.error("Backup of {} failed: {}", sourceName, error);
            outcome.put("status", "failed");
            outcome.put("error", error);
            raise(sourceName, runId, error);
        }
        return outcome;
    }

    /** The status of a backup a dry run only planned. */
    static final String PLANNED = "planned";

    static String incidentKey(String source) {
        return "BackupFailed/" + source;
    }

    private void raise(String source, long runId, String error) {
        IncidentRaiser raiser = incidents.get();
        if (raiser == null) {
            LOG.error("No incident service bound ('incidents'): BackupFailed for {} is only logged", source);
            return;
        }
        raiser.raise(incidentKey(source), incidentPriority, "BackupFailed: " + source,
                "The backup of " + source + " failed in run " + runId + ": " + error,
                Map.of("alertname", "BackupFailed", "source", source, "job", "nightly-backup", "run", Long.toString(runId)));
    }

    /**
     * Streams the dump of {@code source} to its final key while computing its SHA-256; the object appears there only
     * once the dump ended and its producer exited cleanly. Then verifies size and checksum: by the store's own
     * checksums when it keeps them (S3), else by reading the object back. Throws on any failure, leaving nothing under
     * the key. In a dry run it only checks that the dump could start ({@link BackupSource#check()}: reads) and plans
     * the upload: the object returned is not verified, has no size (-1), no checksum and no row (id 0).
     */
    public BackupRecords.StoredObject store(BackupSource source, long runId) throws Exception {
        Instant at = clock.instant();
        String key = BackupKeys.key(source.name(), at, source.extension());
        Optional<DryRun> plan = DryRun.current();
        if (plan.isPresent()) {
            source.check();
            plan.get().wouldDo(store.kind(), "upload " + store.location(key) + " (backup of " + source.name()
                    + ", verified by size and SHA-256, recorded in backup_object)");
            return new BackupRecords.StoredObject(0, source.name(), key, -1, null, at, false, runId);
        }
        MessageDigest sha = sha256();
        long t0 = System.nanoTime();
        ObjectStore.Stored stored;
        long size;
        try (Dump dump = source.open()) {
            CountingInputStream counted = new CountingInputStream(new DigestInputStream(dump.stream(), sha));
            stored = store.put(key, counted, dump::finish);   // a producer that dies ends its stream; finish() then says why
            size = counted.count;
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        long t1 = System.nanoTime();
        try {
            verify(key, size, digest, stored);
        } catch (Exception e) {
            quietlyDelete(key, e);
            throw e;
        }
        long id = records.insert(source.name(), key, store.describe(), size, digest, at, runId);
        long t2 = System.nanoTime();
        LOG.info("Backup of {} stored as {} ({} bytes, sha256 {}, verified by {}, {} MiB/s including verification; upload {} s, verification {} s)",
                source.name(), key, size, digest, stored.checksumVerified() ? "the store's checksums" : "reading it back",
                String.format("%.1f", size / 1048576.0 / Math.max((t2 - t0) / 1e9, 1e-3)),
                String.format("%.1f", (t1 - t0) / 1e9), String.format("%.1f", (t2 - t1) / 1e9));
        return new BackupRecords.StoredObject(id, source.name(), key, size, digest, at, true, runId);
    }

    /**
     * The object under {@code key} exists and has {@code size} bytes, and its content is what was hashed: checked by
     * the store while it was sent ({@link ObjectStore.Stored#checksumVerified()}) or by hashing it read back.
     */
    void verify(String key, long size, String sha256, ObjectStore.Stored stored) throws Exception {
        long found = store.size(key).orElseThrow(() -> new IOException("verification failed for " + key + ": object missing"));
        if (found != size || stored.size() != size) {
            throw new IOException("verification failed for " + key + ": size " + found + ", expected " + size);
        }
        if (stored.checksumVerified()) {
            return;
        }
        String read = sha256Of(store, key);
        if (!read.equals(sha256)) {
            throw new IOException("verification failed for " + key + ": sha256 " + read + ", expected " + sha256);
        }
    }

    static String sha256Of(ObjectStore store, String key) throws Exception {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = store.open(key)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private void quietlyDelete(String key, Exception cause) {
        try {
            store.delete(key);
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Applies retention to every source: lists its objects in the store, keeps what {@link Retention} keeps, deletes
     * the rest (recorded in backup_deletion) unless runbook.backup.retention.dry-run, which only logs. In a dry run
     * nothing is deleted: each deletion is planned as "delete &lt;location&gt; (retention)", and the copies the run
     * planned to upload ({@code outcomes} with status planned) count as the newest verified ones, as they would after
     * a real run. Returns the deletions (source, key, deleted).
     *
     * @param outcomes the outcomes of the run's {@link #backup} calls
     */
    @DryRunSafe
    public List<Map<String, Object>> applyRetention(long runId, List<Map<String, Object>> outcomes) throws Exception {
        Map<String, List<String>> planned = new LinkedHashMap<>();
        for (Map<String, Object> o : outcomes == null ? List.<Map<String, Object>>of() : outcomes) {
            if (PLANNED.equals(o.get("status"))) {
                planned.computeIfAbsent(String.valueOf(o.get("source")), s -> new ArrayList<>()).add(String.valueOf(o.get("key")));
            }
        }
        return retention(runId, planned);
    }

    List<Map<String, Object>> retention(long runId, Map<String, List<String>> planned) throws Exception {
        Optional<DryRun> plan = DryRun.current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String source : sources.keySet()) {
            Set<String> verified = records.verifiedKeys(source);
            List<Retention.Copy> copies = new ArrayList<>();
            List<String> keys = new ArrayList<>(store.list(BackupKeys.prefix(source)));
            List<String> uploads = planned.getOrDefault(source, List.of());
            keys.addAll(uploads);
            for (String key : keys) {
                boolean good = verified.contains(key) || uploads.contains(key);
                BackupKeys.time(key).ifPresent(t -> copies.add(new Retention.Copy(key, t, good)));
            }
            for (Retention.Deletion d : Retention.deletions(copies, keepDaily, keepWeekly)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("source", source);
                row.put("key", d.key());
                boolean delete = !retentionDryRun && plan.isEmpty();
                row.put("deleted", delete);
                out.add(row);
                if (retentionDryRun) {
                    LOG.info("Retention (runbook.backup.retention.dry-run) would delete {}", d.key());
                } else if (plan.isPresent()) {
                    plan.get().wouldDo(store.kind(), "delete " + store.location(d.key()) + " (retention)");
                } else {
                    store.delete(d.key());
                    records.recordDeletion(source, d.key(), d.reason(), runId, clock.instant());
                    LOG.info("Retention deleted {}", d.key());
                }
            }
        }
        return out;
    }

    /**
     * One line for the run's log: each source and how it ended ({@code engine-db succeeded: backups/engine-db/…
     * (1234 bytes); runbooks failed: no such folder}).
     */
    @DryRunSafe
    public String summary(List<Map<String, Object>> outcomes) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> o : outcomes) {
            String status = String.valueOf(o.get("status"));
            parts.add(o.get("source") + " " + status + ": " + ("failed".equals(status) ? o.get("error")
                    : o.get("key") + (o.get("size") == null ? "" : " (" + o.get("size") + " bytes)")));
        }
        return parts.isEmpty() ? "no backup source configured" : String.join("; ", parts);
    }

    /** Ends a backup run: throws, so the run is marked failed, when any outcome failed. */
    @DryRunSafe
    public void requireSuccess(List<Map<String, Object>> outcomes) {
        List<String> failed = new ArrayList<>();
        for (Map<String, Object> o : outcomes) {
            if (!"succeeded".equals(o.get("status")) && !PLANNED.equals(o.get("status"))) {
                failed.add(o.get("source") + " (" + o.get("error") + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("backup failed for " + String.join("; ", failed));
        }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
