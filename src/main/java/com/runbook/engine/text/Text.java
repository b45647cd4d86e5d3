package com.runbook.engine.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text from outside (alerts, acknowledgements) made storable on H2 and PostgreSQL alike: a NUL character, which
 * PostgreSQL cannot store in text, is kept as the six characters {@code \u0000}; a value longer than its limit is cut
 * and ends with {@link #MARK}, so that a long field never fails the write of the alerts around it. {@link #clean} is
 * the one cutter; labels and annotations are stored as the JSON {@link #json} writes.
 *
 * <p>The limits (characters; each below its column in db/migration): alert name {@value #ALERTNAME}, fingerprint
 * or key {@value #FINGERPRINT}, title {@value #TITLE} (it is part of page subjects of at most 1,000), detail
 * {@value #DETAIL}, a label or annotation name {@value #NAME} and value {@value #VALUE}, all labels (or all
 * annotations) {@value #MAP} characters as JSON, the incident key {@value #KEY}, who acknowledged {@value #BY}.
 */
public final class Text {
    /** The end of a value that was cut. */
    public static final String MARK = "…[truncated]";
    public static final int ALERTNAME = 200;
    public static final int FINGERPRINT = 200;
    public static final int TITLE = 900;
    public static final int DETAIL = 4000;
    public static final int NAME = 200;
    public static final int VALUE = 1000;
    public static final int MAP = 8000;
    public static final int KEY = 500;
    public static final int BY = 200;
    /** The name of the entry that replaces the labels (or annotations) beyond {@value #MAP} characters. */
    public static final String DROPPED = MARK;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Text() {
    }

    /** NUL characters escaped, then cut to {@code max} characters (the mark included); null stays null. */
    public static String clean(String s, int max) {
        if (s == null) {
            return null;
        }
        String t = s.indexOf('\0') < 0 ? s : s.replace("\0", "\\u0000");
        if (t.length() <= max) {
            return t;
        }
        int end = max - MARK.length();
        if (end > 0 && Character.isHighSurrogate(t.charAt(end - 1))) {
            end--;   // never half a character
        }
        return t.substring(0, Math.max(0, end)) + MARK;
    }

    /**
     * Names and values cleaned ({@link #NAME}, {@link #VALUE}), in order, as long as the map's JSON stays within
     * {@link #MAP} characters; the entries beyond are replaced by one, {@link #DROPPED}: "n dropped".
     */
    public static Map<String, String> clean(Map<String, String> map) {
        Map<String, String> out = new LinkedHashMap<>();
        if (map == null) {
            return out;
        }
        int size = 2;   // {}
        int dropped = 0;
        int budget = MAP - 1400;   // room for the "dropped" entry and an alert name put back (escaped: 6 per NUL)
        for (Map.Entry<String, String> e : map.entrySet()) {
            String name = clean(e.getKey(), NAME);
            String value = clean(e.getValue(), VALUE);
            int entry = json(name).length() + json(value).length() + 2;   // "name":"value",
            if (dropped > 0 || out.containsKey(name) || size + entry > budget) {
                dropped++;
                continue;
            }
            out.put(name, value);
            size += entry;
        }
        if (dropped > 0) {
            out.put(DROPPED, dropped + " dropped");
        }
        return out;
    }

    /** The labels (or annotations) as a JSON object, as they are stored ({@code {}} for null). */
    public static String json(Map<String, String> map) {
        return write(map == null ? Map.of() : map);
    }

    private static String json(String s) {
        return write(s);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
