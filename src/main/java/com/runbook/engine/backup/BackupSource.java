package com.runbook.engine.backup;

/** One configured thing to back up: a database or a set of folders. */
interface BackupSource {
    String name();

    /** The file extension of its dumps ({@code dump}, {@code sql.gz}, {@code zip}, ...). */
    String extension();

    /** Starts producing a dump. */
    Dump open() throws Exception;
}
