package com.runbook.engine.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** What a {@link Door} is asked: its path segments, query, headers and body, without HTTP's machinery. */
public interface Request {
    /**
     * Who calls: the holder of the request's token, whose role the edge checked against the door's access
     * ({@link Actor#ANONYMOUS} on an open door).
     */
    Actor caller();

    /** The decoded {@code {name}} segment of the door's path. */
    String path(String name);

    /** A query parameter, or null when absent. */
    String query(String name);

    /** A request header (the request's own headers only), or null when absent. */
    String header(String name);

    /** The raw body (empty when none). */
    byte[] body();

    /** The body as a JSON object ({@code {}} when empty); a body that is not one is refused ({@code INVALID}). */
    JsonNode json();

    /**
     * The token of an {@code Authorization: Bearer <token>} value, the scheme in any case ({@code bearer}, {@code
     * BEARER}; RFC 9110), the token trimmed; null when the value is absent or of another scheme. The one rule for the
     * API and the webhooks.
     */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (!value.regionMatches(true, 0, "Bearer", 0, 6)
                || value.length() > 6 && !Character.isWhitespace(value.charAt(6))) {
            return null;
        }
        return value.substring(6).strip();
    }

    /**
     * The {@code limit} query parameter of a list: 1 to 1000, {@code whenAbsent} when absent or blank; refused
     * ({@code INVALID}) otherwise.
     */
    static int limit(String text, int whenAbsent) {
        if (text == null || text.isBlank()) {
            return whenAbsent;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit < 1 || limit > 1000) {
                throw Refused.invalid("limit must be between 1 and 1000, not " + text);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw Refused.invalid("limit must be a number, not '" + text + "'");
        }
    }

    /** The fields of an HTML form body ({@code curl -d a=b}), or null when the body is not a form. */
    Map<String, Object> form();
}
