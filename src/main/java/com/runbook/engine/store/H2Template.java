package com.runbook.engine.store;

import org.h2.engine.Constants;
import org.h2.jdbcx.JdbcDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A new embedded H2 database starts as a copy of a file migrated at build time ({@code db/template/}, written by
 * {@link #main}) instead of running every migration at the start: the same migrations, applied by Flyway with its
 * history, so {@link MigrationIndex} finds the copy current (and Flyway applies anything newer as usual). Only for
 * what the template can stand for: a local file that does not exist yet, the template's user {@code sa} without a
 * password, URL settings that do not change the schema, and the H2 build that wrote the template. Anything else is
 * created by Flyway as before.
 */
public final class H2Template {
    /** The template's user and password: H2 makes the user that creates a file its administrator. */
    static final String USER = "sa";
    static final String PASSWORD = "";
    /** Settings of a URL that change neither the schema nor how its DDL reads (others: Flyway creates the file). */
    private static final Set<String> NEUTRAL = Set.of("DB_CLOSE_ON_EXIT", "WRITE_DELAY", "CACHE_SIZE", "NON_KEYWORDS",
            "LOCK_TIMEOUT", "TRACE_LEVEL_FILE", "TRACE_LEVEL_SYSTEM_OUT", "AUTO_SERVER", "AUTO_SERVER_PORT");
    /** {@code jdbc:h2:} then the file-system prefixes a local file may carry, then the path, then settings. */
    private static final Pattern FILE_URL =
            Pattern.compile("jdbc:h2:(?:rbheader:|retry:|file:)*([^;]+)((?:;.*)?)");

    private H2Template() {
    }

    /**
     * Copies the template for {@code location} to the file of {@code url} when that file is new and the template
     * fits; true when it did. Two starts racing for the same folder: one copy wins, the other finds the file there.
     */
    static boolean createIfNew(String url, String user, String password, String location) {
        Optional<Path> file = newFile(url, user, password);
        if (file.isEmpty()) {
            return false;
        }
        try (InputStream template = H2Template.class.getClassLoader().getResourceAsStream(resource(location))) {
            if (template == null) {
                return false;
            }
            Path target = file.get();
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path part = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName().toString(), ".part");
            try {
                Files.copy(template, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the new database file of " + location + " from its template", e);
        }
    }

    /** The {@code .mv.db} file {@code url} would create, when it is a new local file the template can stand for. */
    static Optional<Path> newFile(String url, String user, String password) {
        Matcher m = FILE_URL.matcher(url);
        if (!m.matches() || !USER.equalsIgnoreCase(user) || !PASSWORD.equals(password == null ? "" : password)) {
            return Optional.empty();
        }
        boolean neutral = Arrays.stream(m.group(2).split(";")).filter(s -> !s.isBlank())
                .allMatch(s -> NEUTRAL.contains(s.split("=", 2)[0].trim().toUpperCase(Locale.ROOT)));
        String path = m.group(1);
        // another file system (mem:, tcp:, zip:...), home-relative, or a relative path H2 refuses
        if (!neutral || path.contains(":") || !(path.startsWith("/") || path.startsWith("."))) {
            return Optional.empty();
        }
        Path file = Path.of(path + Constants.SUFFIX_MV_FILE);
        return Files.exists(file) ? Optional.empty() : Optional.of(file);
    }

    /** The template's class-path resource: the location's last folder and the H2 build that wrote it. */
    static String resource(String location) {
        String dir = location.replaceFirst("^classpath:", "").replaceAll("/+$", "");
        return "db/template/" + dir.substring(dir.lastIndexOf('/') + 1) + "-h2-" + Constants.BUILD_ID
                + Constants.SUFFIX_MV_FILE;
    }

    /**
     * Writes the templates, at build time ({@code pom.xml}, phase {@code process-classes}): {@code <folder>} then
     * {@code <location>|<history table>[;<URL settings>]} per database, e.g.
     * {@code classpath:db/trading|flyway_trading_history;NON_KEYWORDS=YEAR,MONTH}.
     */
    public static void main(String[] args) throws SQLException, IOException {
        Path out = Path.of(args[0]);
        for (String spec : Arrays.asList(args).subList(1, args.length)) {
            String[] parts = (spec.contains(";") ? spec : spec + ";").split(";", 2);
            String location = parts[0].split("\\|")[0];
            String table = parts[0].split("\\|")[1];
            String settings = parts[1].isEmpty() ? "" : ";" + parts[1];
            Path target = out.resolve(resource(location).substring("db/template/".length()));
            String base = target.toString().substring(0, target.toString().length() - Constants.SUFFIX_MV_FILE.length());
            Files.createDirectories(out);
            Files.deleteIfExists(target);
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:" + base + settings);
            ds.setUser(USER);
            ds.setPassword(PASSWORD);
            Database.migrate(ds, location, table);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN COMPACT");
            }
        }
    }
}
