package com.runbook.engine.access;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a personal token, {@code rbk_<id>_<secret>}: a public id (16 hex digits) that finds the token's row, and
 * 256 random bits. Only the keyed hash of the whole text ({@link #hash}: HMAC-SHA256 under the engine's token key) is
 * stored; {@link #matches} compares in constant time.
 */
final class TokenText {
    private static final Pattern FORMAT = Pattern.compile("rbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    /** @param key the HMAC key (at least 32 bytes) */
    TokenText(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the token key must be at least 32 bytes");
        }
        this.key = key.clone();
    }

    /** A new token: its id and its whole text. */
    record Fresh(String id, String text) {
        @Override
        public String toString() {   // never the text in a log line or an exception
            return "token " + id;
        }
    }

    /** A new random token. */
    static Fresh generate() {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String hexId = HexFormat.of().formatHex(id);
        return new Fresh(hexId, "rbk_" + hexId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The public id of {@code text}, or empty when {@code text} is not a personal token's. */
    static Optional<String> idOf(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The stored form of {@code text}: HMAC-SHA256 under the key, 64 hex digits. */
    String hash(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when {@code text} hashes to {@code storedHash}; the comparison takes the same time wherever they differ. */
    boolean matches(String text, String storedHash) {
        return MessageDigest.isEqual(hash(text).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
