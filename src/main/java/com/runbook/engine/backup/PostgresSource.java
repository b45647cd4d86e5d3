package com.runbook.engine.backup;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A PostgreSQL database dumped with {@code pg_dump --format=custom}, its stdout streamed; the password via PGPASSWORD. */
record PostgresSource(String name, String jdbcUrl, String user, String password, String pgDump, Path tmpDir)
        implements BackupSource {

    @Override
    public String extension() {
        return "dump";
    }

    /** host, port, database and (when the URL names one) schema of a {@code jdbc:postgresql://} URL. */
    record Target(String host, int port, String database, String schema) {
    }

    static Target parse(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl.replaceAll("password=[^&]*", "password=***"));
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String schema = null;
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                if (pair.startsWith("currentSchema=")) {
                    schema = pair.substring("currentSchema=".length());
                }
            }
        }
        return new Target(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), uri.getPath().substring(1), schema);
    }

    List<String> command() {
        Target t = parse(jdbcUrl);
        List<String> cmd = new ArrayList<>(List.of(pgDump, "--format=custom", "--no-password", "--host=" + t.host(),
                "--port=" + t.port(), "--username=" + user, "--dbname=" + t.database()));
        if (t.schema() != null) {
            cmd.add("--schema=" + t.schema());
        }
        return cmd;
    }

    /** Connects (and disconnects): the server answers and takes the credentials. */
    @Override
    public void check() throws Exception {
        java.sql.DriverManager.getConnection(jdbcUrl, user, password).close();
    }

    @Override
    public Dump open() throws Exception {
        return ProcessDump.start(command(), Map.of("PGPASSWORD", password == null ? "" : password), tmpDir);
    }
}
