package com.runbook.engine.backup;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/** The tables backup_object, backup_deletion and maintenance_step. */
class BackupRecords {
    /** One row of backup_object. */
    public record StoredObject(long id, String source, String key, long size, String sha256, Instant createdAt,
                               boolean verified, Long runId) {
    }

    /** One row of maintenance_step. */
    public record Step(String step, String status, String detail, Instant startedAt, Instant finishedAt) {
    }

    private final DataSource ds;

    public BackupRecords(DataSource ds) {
        this.ds = ds;
    }

    public long insert(String source, String key, String store, long size, String sha256, Instant at, long runId) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into backup_object (source, object_key, store, size_bytes, sha256, created_at, verified, run_id)"
                        + " values (?, ?, ?, ?, ?, ?, true, ?)", new String[] {"id"})) {
            ps.setString(1, source);
            ps.setString(2, key);
            ps.setString(3, store);
            ps.setLong(4, size);
            ps.setString(5, sha256);
            ps.setTimestamp(6, Timestamp.from(at));
            ps.setLong(7, runId);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not record backup object " + key, e);
        }
    }

    /** The live (not deleted) objects of a source, newest first. */
    public List<StoredObject> live(String source) {
        List<StoredObject> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select id, source, object_key, size_bytes, sha256, created_at, verified, run_id from backup_object"
                        + " where source = ? and deleted_at is null order by created_at desc, id desc")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long run = rs.getLong(8);
                    out.add(new StoredObject(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getBoolean(7), rs.wasNull() ? null : run));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read backup objects of " + source, e);
        }
        return out;
    }

    public Set<String> verifiedKeys(String source) {
        Set<String> keys = new HashSet<>();
        for (StoredObject o : live(source)) {
            if (o.verified()) {
                keys.add(o.key());
            }
        }
        return keys;
    }

    public Optional<StoredObject> newestVerified(String source) {
        return live(source).stream().filter(StoredObject::verified).findFirst();
    }

    public void recordDeletion(String source, String key, String reason, long runId, Instant at) {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("insert into backup_deletion (source, object_key, reason, run_id, deleted_at)"
                    + " values (?, ?, ?, ?, ?)")) {
                ps.setString(1, source);
                ps.setString(2, key);
                ps.setString(3, reason);
                ps.setLong(4, runId);
                ps.setTimestamp(5, Timestamp.from(at));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("update backup_object set deleted_at = ? where object_key = ? and deleted_at is null")) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setString(2, key);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the deletion of " + key, e);
        }
    }

    public void recordStep(long runId, String step, String status, String detail, Instant started, Instant finished) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into maintenance_step (run_id, step, status, detail, started_at, finished_at) values (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, runId);
            ps.setString(2, step);
            ps.setString(3, status);
            ps.setString(4, detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000));
            ps.setTimestamp(5, Timestamp.from(started));
            ps.setTimestamp(6, Timestamp.from(finished));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not record maintenance step " + step, e);
        }
    }

    /** The steps recorded for a run, in the order they ran. */
    public List<Step> steps(long runId) {
        List<Step> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select step, status, detail, started_at, finished_at from maintenance_step where run_id = ? order by id")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Step(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the maintenance steps of run " + runId, e);
        }
        return out;
    }
}
