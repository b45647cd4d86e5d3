package com.runbook.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.text.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * How an entry is hashed: SHA-256 (hex) of its canonical JSON, which holds the previous entry's hash, so each entry
 * vouches for the whole chain before it. Canonical: the fields {@code action, actor, at, detail, job, prevHash,
 * subject} in that (sorted) order, the detail's object keys sorted at every level, no white space, {@code at} as an
 * ISO-8601 instant in UTC ({@code 2026-12-06T14:02:00.123Z}). The sequence number is not hashed: the chain itself is
 * the order, and {@code verify} checks the numbers follow it.
 */
final class AuditChain {
    /** The previous hash of the first entry. */
    static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** The hash of an entry whose detail is the JSON text {@code detail}. */
    static String hash(Instant at, String actor, String action, String job, String subject, String detail,
                       String prevHash) {
        return sha256(canonical(at, actor, action, job, subject, detail, prevHash));
    }

    static String canonical(Instant at, String actor, String action, String job, String subject, String detail,
                            String prevHash) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(detail);
        } catch (JsonProcessingException e) {
            tree = Json.MAPPER.getNodeFactory().textNode(detail);   // not JSON (altered by hand): hashed as text
        }
        StringBuilder out = new StringBuilder(detail.length() + 300);
        out.append("{\"action\":");
        scalar(out, action);
        out.append(",\"actor\":");
        scalar(out, actor);
        out.append(",\"at\":");
        scalar(out, at.toString());
        out.append(",\"detail\":");
        write(out, tree);
        out.append(",\"job\":");
        scalar(out, job);
        out.append(",\"prevHash\":");
        scalar(out, prevHash);
        out.append(",\"subject\":");
        scalar(out, subject);
        return out.append('}').toString();
    }

    private static void write(StringBuilder out, JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                scalar(out, names.get(i));
                out.append(':');
                write(out, node.get(names.get(i)));
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            Iterator<JsonNode> items = node.elements();
            for (int i = 0; items.hasNext(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, items.next());
            }
            out.append(']');
        } else {
            try {
                out.append(Json.MAPPER.writeValueAsString(node));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void scalar(StringBuilder out, String text) {
        try {
            out.append(Json.MAPPER.writeValueAsString(text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
