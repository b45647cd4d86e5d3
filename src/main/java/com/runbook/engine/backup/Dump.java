package com.runbook.engine.backup;

import java.io.InputStream;

/** A backup being produced: a stream to read to its end, then {@link #finish()} to learn whether it was complete. */
interface Dump extends AutoCloseable {
    InputStream stream();

    /** After the stream's end: throws when the producer failed (non-zero exit, SQL error), so nothing is kept. */
    void finish() throws Exception;

    /** Releases the producer (kills the process, deletes temp files); safe after {@link #finish()}. */
    @Override
    void close();
}
