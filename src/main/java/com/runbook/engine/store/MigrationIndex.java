package com.runbook.engine.store;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a database already has every versioned migration of a classpath location, so that a start on an existing
 * folder need not load Flyway: the versions of the {@code V<version>__<description>.sql} files there against the
 * successful rows of Flyway's history table. Anything it cannot tell (no table yet, a failed row, a location it
 * cannot list) answers "not up to date", and Flyway decides as before.
 */
final class MigrationIndex {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__.*\\.sql");

    private MigrationIndex() {
    }

    static boolean upToDate(DataSource ds, String location, String historyTable) {
        Set<String> shipped = versions(location);
        if (shipped.isEmpty() || !historyTable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return false;
        }
        Set<String> applied = new HashSet<>();
        try (Connection c = ds.getConnection()) {
            if (!exists(c, historyTable)) {
                return false;       // a new database (asked, not queried: H2 writes a failed query to its trace file)
            }
            try (Statement s = c.createStatement();
                 // Flyway quotes its table and columns (lower case: H2 would read them unquoted as upper case)
                 ResultSet rs = s.executeQuery("select \"version\", \"success\" from \"" + historyTable + "\"")) {
                while (rs.next()) {
                    if (!rs.getBoolean(2)) {
                        return false;   // a failed migration: Flyway reports it
                    }
                    if (rs.getString(1) != null) {
                        applied.add(normal(rs.getString(1)));
                    }
                }
            }
        } catch (SQLException e) {
            return false;           // Flyway reports what it is
        }
        return applied.containsAll(shipped);
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    /** The versions of the versioned migrations at {@code location} ({@code classpath:db/migration}), normalised. */
    static Set<String> versions(String location) {
        if (!location.startsWith("classpath:")) {
            return Set.of();
        }
        String dir = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
        Set<String> versions = new HashSet<>();
        try {
            for (URL url : Collections.list(MigrationIndex.class.getClassLoader().getResources(dir))) {
                switch (url.getProtocol()) {
                    case "file" -> {
                        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                            files.forEach(f -> add(versions, f.getFileName().toString()));
                        }
                    }
                    case "jar" -> {
                        JarURLConnection jar = (JarURLConnection) url.openConnection();
                        jar.setUseCaches(false);
                        try (var file = jar.getJarFile()) {
                            file.stream().map(e -> e.getName()).filter(n -> n.startsWith(dir + "/"))
                                    .forEach(n -> add(versions, n.substring(dir.length() + 1)));
                        }
                    }
                    default -> {
                        return Set.of();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the migrations at " + location, e);
        } catch (URISyntaxException e) {
            return Set.of();
        }
        return versions;
    }

    private static void add(Set<String> versions, String name) {
        Matcher m = VERSIONED.matcher(name);
        if (m.matches()) {
            versions.add(normal(m.group(1)));
        }
    }

    /** Flyway's version text: {@code 1_1} and {@code 1.1} are the same version; leading zeros do not count. */
    static String normal(String version) {
        StringBuilder out = new StringBuilder();
        for (String part : version.replace('_', '.').split("\\.")) {
            out.append(out.isEmpty() ? "" : ".").append(part.replaceFirst("^0+(?=\\d)", ""));
        }
        return out.toString();
    }
}
