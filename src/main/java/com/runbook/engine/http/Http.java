package com.runbook.engine.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.runbook.engine.definition.ParametersRefused;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.Identities;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.text.Json;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shared plumbing for JSON endpoints on platform-http: bearer-token checks, JSON bodies, errors as JSON, and the
 * one table where what a feature answers ({@link Reply.Outcome}) or refuses ({@link Refused.Reason},
 * {@link ParametersRefused}) becomes an HTTP status. Credentials are read from the request's own headers only:
 * platform-http also copies query parameters and form fields into the message's headers, and a token in a URL ends
 * up in proxy and access logs.
 */
final class Http {
    /** The {@code Retry-After} of every 503, in seconds: the front door's while the engine starts or stops too. */
    static final String RETRY_AFTER_SECONDS = "5";

    /** JSON in and out (the engine's one set of reading rules). */
    static final ObjectMapper JSON = Json.MAPPER;
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    /** A body that had to be JSON but came as an HTML form (415): a matter of HTTP, not of the feature. */
    static final class NotJson extends RuntimeException {
        NotJson(String contentType) {
            super("the body must be JSON sent with Content-Type: application/json (curl: -H"
                    + " 'Content-Type: application/json'), not " + (contentType == null ? "" : contentType.split(";")[0]));
        }
    }

    private Http() {
    }

    /**
     * Answers one request for a door: authenticates the caller and checks its role ({@link #caller}), reads the
     * {@code {name}} segments of the door's path, calls its handler and writes its reply, or the refusal, as the response.
     */
    static void respond(Exchange exchange, Door door, Identities identities) {
        int status;
        Object body;
        try {
            Actor caller = caller(exchange, door, identities);
            pathParameters(exchange, door.path());
            Reply reply = door.handler().handle(new ExchangeRequest(exchange, caller));
            status = status(reply.outcome());
            body = reply.body();
        } catch (Refused e) {
            status = status(e.reason());
            body = Map.of("error", e.getMessage());
        } catch (ParametersRefused e) {   // any door that starts a run: every problem listed, nothing ran
            status = 400;
            body = Map.of("error", e.getMessage(), "problems", e.problems());
        } catch (NotJson e) {
            status = 415;
            body = Map.of("error", e.getMessage());
        } catch (Exception e) {
            LOG.error("API request failed", e);
            status = 500;
            body = Map.of("error", "internal error: " + e.getClass().getSimpleName());
        }
        exchange.getMessage().setHeaders(new java.util.HashMap<>());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (status == 503) {   // the sender may send it again: when (Alertmanager and curl --retry honour it)
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
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

    /** The HTTP status of a reply. */
    static int status(Reply.Outcome outcome) {
        return switch (outcome) {
            case OK -> 200;
            case CREATED -> 201;
            case ACCEPTED -> 202;
            case FAILED -> 502;
            case UNAVAILABLE -> 503;
        };
    }

    /** The HTTP status of a refusal. */
    static int status(Refused.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNPROCESSABLE -> 422;
            case UNAVAILABLE -> 503;
        };
    }


    /**
     * Sets each {@code {name}} of the path template to its segment of the request's path. platform-http merges a
     * query parameter of the same name into that header ({@code /api/jobs/x/run?id=y} would give {@code [y, x]}): the
     * path is what names the job or incident. A URL with an encoded NUL is refused.
     */
    static void pathParameters(Exchange exchange, String template) {
        if (!(exchange.getIn() instanceof HttpMessage http) || http.getRequest() == null) {
            return;
        }
        if (http.getRequest().uri().toLowerCase(java.util.Locale.ROOT).contains("%00")) {
            // PostgreSQL cannot take NUL in a text parameter: refused here, the same on H2
            throw Refused.invalid("the URL must not contain NUL characters (%00)");
        }
        String[] names = template.split("/");
        String[] values = http.getRequest().path().split("/");
        if (names.length != values.length) {
            return;
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].startsWith("{") && names[i].endsWith("}")) {
                try {
                    exchange.getMessage().setHeader(names[i].substring(1, names[i].length() - 1),
                            URLDecoder.decode(values[i].replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw Refused.invalid("malformed URL: " + e.getMessage());
                }
            }
        }
    }

    /**
     * The caller of {@code door}: anyone for an open door, else the holder of the request's bearer token, refused
     * ({@code UNAUTHENTICATED}) without a known token and ({@code FORBIDDEN}) without the door's role.
     */
    static Actor caller(Exchange exchange, Door door, Identities identities) {
        if (door.access() == Door.Access.OPEN) {
            return Actor.ANONYMOUS;
        }
        Actor caller = identities.authenticate(Request.bearer(ownHeader(exchange, "Authorization")));
        caller.require(door.access().role(), door.method() + " " + door.path());
        return caller;
    }

    /**
     * True when the request was sent as an HTML form ({@code curl -d} without a Content-Type does that): platform-http
     * has then replaced the body with the parsed form fields, and the raw bytes are gone.
     */
    static boolean isForm(Exchange exchange) {
        String type = ownHeader(exchange, Exchange.CONTENT_TYPE);
        type = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
    }

    /** The raw request body; 415 for a form (see {@link #isForm}), whose raw bytes platform-http has not kept. */
    static byte[] rawBody(Exchange exchange) {
        if (isForm(exchange)) {
            throw new NotJson(ownHeader(exchange, Exchange.CONTENT_TYPE));
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    /** The request body as a JSON object; an empty body is an empty object; 415 for a form. */
    static JsonNode jsonBody(Exchange exchange) {
        String body = new String(rawBody(exchange), StandardCharsets.UTF_8);
        if (body.isBlank()) {
            return JSON.createObjectNode();
        }
        return Json.object(body.getBytes(StandardCharsets.UTF_8));
    }

    /** A path parameter ({@code {id}}) or query parameter of the request. */
    static String param(Exchange exchange, String name) {
        return exchange.getMessage().getHeader(name, String.class);
    }

    /**
     * A header of the HTTP request itself (null when absent), never a query parameter or form field of the same
     * name. Off platform-http (a test's exchange) the message header.
     */
    static String ownHeader(Exchange exchange, String name) {
        if (exchange.getIn() instanceof HttpMessage http && http.getRequest() != null) {
            return http.getRequest().getHeader(name);
        }
        return param(exchange, name);
    }




    /** A {@link Request} read from a platform-http exchange. */
    private record ExchangeRequest(Exchange exchange, Actor caller) implements Request {
        @Override
        public String path(String name) {
            return param(exchange, name);
        }

        @Override
        public String query(String name) {
            return param(exchange, name);
        }

        @Override
        public String header(String name) {
            return ownHeader(exchange, name);
        }

        @Override
        public byte[] body() {
            return rawBody(exchange);
        }

        @Override
        public JsonNode json() {
            return jsonBody(exchange);
        }

        @Override
        public Map<String, Object> form() {
            if (!isForm(exchange)) {
                return null;
            }
            Map<?, ?> fields = exchange.getMessage().getBody(Map.class);
            Map<String, Object> form = new LinkedHashMap<>();
            if (fields != null) {
                fields.forEach((k, v) -> form.put(k.toString(), v));
            }
            return form;
        }
    }
}
