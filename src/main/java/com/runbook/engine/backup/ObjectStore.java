package com.runbook.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;

/** Where backups go: keys of the form {@code backups/<source>/<yyyy>/<MM>/<dd>/<file>}, the same on every store. */
public interface ObjectStore {
    /** Runs once the body's stream has ended, before the object becomes visible; throwing discards the upload. */
    @FunctionalInterface
    interface BeforeCommit {
        void check() throws Exception;
    }

    /**
     * What {@link #put} stored. {@code checksumVerified} is true when the store itself checked every byte against
     * checksums computed from the very buffers that were sent and the stored object's checksum matches them, so no
     * read-back is needed to know it holds what was sent.
     */
    record Stored(long size, boolean checksumVerified) {
    }

    /**
     * Streams {@code in} to {@code key} until its end without holding the whole body in memory, then runs
     * {@code beforeCommit}; the object appears under {@code key} only once everything was sent and
     * {@code beforeCommit} returned, so a failure leaves nothing (and no earlier object is replaced by a partial one).
     */
    Stored put(String key, InputStream in, BeforeCommit beforeCommit) throws Exception;

    /** {@link #put(String, InputStream, BeforeCommit)} with nothing to check before the commit. */
    default Stored put(String key, InputStream in) throws IOException {
        try {
            return put(key, in, () -> { });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The object's size, empty when it does not exist. */
    OptionalLong size(String key) throws IOException;

    InputStream open(String key) throws IOException;

    void delete(String key) throws IOException;

    /** Every key under {@code prefix}, in no particular order. */
    List<String> list(String prefix) throws IOException;

    /** A short description for logs and reports (never a secret). */
    String describe();

    /**
     * Where {@code key} is, as a person reads it in a dry run's plan ({@code s3://bucket/key}, or the file's path):
     * never a secret.
     */
    String location(String key);

    /** What a dry run's plan calls an effect on this store: {@code s3} or {@code file}. */
    String kind();
}
