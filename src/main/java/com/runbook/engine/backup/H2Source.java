package com.runbook.engine.backup;

import javax.sql.DataSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * An H2 database dumped with {@code SCRIPT TO '<file>' COMPRESSION GZIP}: H2 writes the compressed script to a
 * temp file on disk (never memory), which is then streamed and deleted.
 */
record H2Source(String name, DataSource dataSource, Path tmpDir) implements BackupSource {

    @Override
    public String extension() {
        return "sql.gz";
    }

    /** Opens (and closes) a connection. */
    @Override
    public void check() throws Exception {
        dataSource.getConnection().close();
    }

    @Override
    public Dump open() throws Exception {
        Files.createDirectories(tmpDir);
        Path file = Files.createTempFile(tmpDir, name + "-", ".sql.gz");
        Files.delete(file);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SCRIPT TO '" + file.toString().replace("'", "''") + "' COMPRESSION GZIP");
        } catch (Exception e) {
            Files.deleteIfExists(file);
            throw e;
        }
        InputStream in = Files.newInputStream(file);
        return new Dump() {
            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public void finish() {
            }

            @Override
            public void close() {
                try {
                    in.close();
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temp file left behind is harmless
                }
            }
        };
    }
}
