package com.runbook.engine.backup;

/** One configured thing to back up: a database or a set of folders. */
interface BackupSource {
    String name();

    /** The file extension of its dumps ({@code dump}, {@code sql.gz}, {@code zip}, ...). */
    String extension();

    /** Starts producing a dump. */
    Dump open() throws Exception;

    /**
     * What a dry run checks instead of dumping: only reads that show the dump could start (the database answers, with
     * these credentials, and has the tables). Throws why not. This default checks nothing.
     */
    default void check() throws Exception {
    }
}
