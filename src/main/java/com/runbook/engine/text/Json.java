package com.runbook.engine.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.runbook.engine.core.Refused;

import java.io.IOException;

/** JSON in and out, with the one set of reading rules for every body the engine is sent (API, webhooks, Pub/Sub). */
public final class Json {
    /** The deepest nesting of arrays and objects a body may have (Jackson's default is 1,000). */
    static final int MAX_DEPTH = 64;
    /**
     * Reading: at most {@link #MAX_DEPTH} levels, no name twice in one object (a proxy that reads the first
     * {@code alertname} and the engine the last would disagree), and nothing may follow the document ({@code {...}
     * garbage} is refused, not read as its first part). Writing: times as ISO-8601 text.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    /** {@code body} read as a JSON object; anything else is refused ({@code INVALID}) with where and why. */
    public static JsonNode object(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw Refused.invalid(malformed(e));
        } catch (IOException e) {
            throw Refused.invalid("unreadable body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw Refused.invalid("request body must be a JSON object");
        }
        return root;
    }

    /** The message for a body that is not JSON (the location, when Jackson knows it). */
    static String malformed(JsonProcessingException e) {
        return "malformed JSON" + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr()) + ": "
                + e.getOriginalMessage().replaceAll(", from `[^`]*`\\)", ")");   // Jackson's method name: not for callers
    }
}
