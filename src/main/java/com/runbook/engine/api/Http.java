package com.runbook.engine.api;

import com.runbook.engine.params.ParametersRefused;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.Supplier;

/** Shared plumbing for JSON endpoints on platform-http: bearer-token checks, JSON bodies, errors as JSON. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    /** Handles one request and returns the response body (serialised as JSON) or throws {@link ApiException}. */
    @FunctionalInterface
    public interface Handler {
        Object handle(Exchange exchange) throws Exception;
    }

    private Http() {
    }

    /** Adds a route answering {@code method path} with {@code handler}; {@code token} non-null means bearer auth. */
    public static void endpoint(RouteBuilder rb, String routeId, String method, String path, Supplier<String> token,
                                Handler handler) {
        rb.from("platform-http:" + path + "?httpMethodRestrict=" + method).routeId(routeId)
                .process(exchange -> respond(exchange, token, handler));
    }

    static void respond(Exchange exchange, Supplier<String> token, Handler handler) {
        int status = 200;
        Object body;
        try {
            if (token != null) {
                requireToken(exchange, token.get());
            }
            body = handler.handle(exchange);
            Integer set = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            status = set == null ? 200 : set;
        } catch (ApiException e) {
            status = e.status();
            body = Map.of("error", e.getMessage());
        } catch (ParametersRefused e) {   // any door that starts a run: every problem listed, nothing ran
            status = 400;
            body = Map.of("error", e.getMessage(), "problems", e.problems());
        } catch (Exception e) {
            LOG.error("API request failed", e);
            status = 500;
            body = Map.of("error", "internal error: " + e.getClass().getSimpleName());
        }
        exchange.getMessage().setHeaders(new java.util.HashMap<>());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (body instanceof String text) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getMessage().setBody(text);
            return;
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            exchange.getMessage().setBody(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses with 401 unless the request carries {@code Authorization: Bearer <expected>}. */
    public static void requireToken(Exchange exchange, String expected) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        if (header == null || !header.startsWith("Bearer ")) {
            throw new ApiException(401, "missing bearer token (Authorization: Bearer <token>)");
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        if (expected == null || expected.isEmpty()
                || !MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid bearer token");
        }
    }

    /**
     * True when the request was sent as an HTML form ({@code curl -d} without a Content-Type does that): platform-http
     * has then replaced the body with the parsed form fields, and the raw bytes are gone.
     */
    public static boolean isForm(Exchange exchange) {
        String type = header(exchange, Exchange.CONTENT_TYPE);
        type = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
    }

    /** The 415 for a body that had to be JSON but came as a form. */
    public static ApiException notJson(Exchange exchange) {
        return new ApiException(415, "the body must be JSON sent with Content-Type: application/json (curl: -H"
                + " 'Content-Type: application/json'), not " + header(exchange, Exchange.CONTENT_TYPE).split(";")[0]);
    }

    /** The raw request body; 415 for a form (see {@link #isForm}), whose raw bytes platform-http has not kept. */
    public static byte[] body(Exchange exchange) {
        if (isForm(exchange)) {
            throw notJson(exchange);
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    /** The request body as a JSON object; an empty body is an empty object; 415 for a form. */
    public static JsonNode jsonObject(Exchange exchange) {
        String body = new String(body(exchange), StandardCharsets.UTF_8);
        if (body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(400, "request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        }
    }

    public static String header(Exchange exchange, String name) {
        return exchange.getMessage().getHeader(name, String.class);
    }
}
