package com.runbook.engine.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The key layout {@code backups/<source>/<yyyy>/<MM>/<dd>/<source>-<yyyyMMdd'T'HHmmss'Z'>.<ext>}, both ways. */
final class BackupKeys {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final Pattern KEY = Pattern.compile("backups/([^/]+)/\\d{4}/\\d{2}/\\d{2}/\\1-(\\d{8}T\\d{6}Z)\\.[^/]+");

    private BackupKeys() {
    }

    public static String prefix(String source) {
        return "backups/" + source + "/";
    }

    public static String key(String source, Instant at, String ext) {
        return prefix(source) + DAY.format(at) + "/" + source + "-" + STAMP.format(at) + "." + ext;
    }

    /** The time stamped in a final key, empty for a key of another layout. */
    public static Optional<Instant> time(String key) {
        Matcher m = KEY.matcher(key);
        return m.matches() ? Optional.of(Instant.from(STAMP.parse(m.group(2)))) : Optional.empty();
    }
}
