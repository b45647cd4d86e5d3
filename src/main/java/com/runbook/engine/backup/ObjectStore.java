package com.runbook.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;

/** Where backups go: keys of the form {@code backups/<source>/<yyyy>/<MM>/<dd>/<file>}, the same on every store. */
public interface ObjectStore {
    /** Streams {@code in} to {@code key} until its end without holding the whole body in memory. */
    void put(String key, InputStream in) throws IOException;

    /** The object's size, empty when it does not exist. */
    OptionalLong size(String key) throws IOException;

    InputStream open(String key) throws IOException;

    /** Copies (or renames) {@code from} to {@code to}; the source stays until {@link #delete}. */
    void copy(String from, String to) throws IOException;

    void delete(String key) throws IOException;

    /** Every key under {@code prefix}, in no particular order. */
    List<String> list(String prefix) throws IOException;

    /** A short description for logs and reports (never a secret). */
    String describe();
}
