package com.runbook.engine.access;

import com.runbook.engine.settings.Settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key of the tokens' keyed hash: the setting {@code runbook.api.token-key} (env RUNBOOK_API_TOKEN_KEY), else the
 * one kept in {@code <data-dir>/token-key} (created at the first start, 256 random bits, readable by its owner only).
 * Without the key, a copy of the database does not let anyone test guesses of a token.
 */
final class TokenKey {
    static final String FILE = "token-key";
    private static final int MIN_SETTING_LENGTH = 32;

    private TokenKey() {
    }

    /**
     * The key bytes.
     *
     * @throws IllegalArgumentException for a configured key shorter than 32 characters (a person fixes it)
     */
    static byte[] resolve(Optional<String> configured, Path dataDir) throws IOException {
        if (configured.isPresent()) {
            String key = configured.get().strip();
            if (key.length() < MIN_SETTING_LENGTH) {
                throw new IllegalArgumentException(Settings.named("runbook.api.token-key") + " must be at least "
                        + MIN_SETTING_LENGTH + " characters (e.g. the output of: openssl rand -hex 32)");
            }
            return key.getBytes(StandardCharsets.UTF_8);
        }
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.writeString(tmp, HexFormat.of().formatHex(random), StandardOpenOption.TRUNCATE_EXISTING);
                try {   // two engines starting on one folder: the first key wins, both use it
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException ignored) {
                    // another start wrote it first
                } catch (UnsupportedOperationException | IOException noHardLinks) {
                    try {
                        Files.move(tmp, file);
                    } catch (FileAlreadyExistsException ignored) {
                        // another start wrote it first
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        String key = Files.readString(file).strip();
        if (key.length() < MIN_SETTING_LENGTH) {
            throw new IllegalArgumentException(file + " holds no token key (at least " + MIN_SETTING_LENGTH
                    + " characters): restore it from a backup, or delete it to have a new one generated (every personal"
                    + " token then stops working)");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
