package com.runbook.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.atomic.AtomicReference;

/** A dump written by a Java writer on its own thread into a pipe (zip archives, table exports): bounded memory. */
final class PipeDump implements Dump {
    /** Writes the whole dump to {@code out}; the pipe is closed afterwards. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws Exception;
    }

    private final PipedInputStream in;
    private final Thread thread;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private PipeDump(String name, Writer writer) throws IOException {
        in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        thread = new Thread(() -> {
            try (out) {
                writer.write(out);
            } catch (Exception e) {
                failure.set(e);
            }
        }, "backup-" + name);
        thread.setDaemon(true);
    }

    static PipeDump start(String name, Writer writer) throws IOException {
        PipeDump dump = new PipeDump(name, writer);
        dump.thread.start();
        return dump;
    }

    @Override
    public InputStream stream() {
        return in;
    }

    @Override
    public void finish() throws Exception {
        thread.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing the read end stops the writer
        }
    }
}
