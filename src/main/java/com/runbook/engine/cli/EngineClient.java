package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Talks to a running engine's HTTP API for the command line. Every failure becomes a {@link CliException} with one
 * line an on-call person can act on and the exit status that names its kind.
 */
class EngineClient {
    /** Exit status: bad usage, e.g. run parameters the job does not take (400 with the problems listed). */
    static final int BAD_USAGE = 2;
    /** Exit status: the engine could not be reached. */
    static final int UNREACHABLE = 3;
    /** Exit status: the engine refused the token (401). */
    static final int UNAUTHORIZED = 4;
    /** Exit status: no such job, run, incident or endpoint (404). */
    static final int NOT_FOUND = 5;
    /** Exit status: any other error answer (4xx/5xx). */
    static final int REFUSED = 6;
    /** Exit status: the token is known but its role does not allow the request (403). */
    static final int FORBIDDEN = 7;

    /** How long a connection may take, and an answer once connected (each read of it). */
    static final int CONNECT_TIMEOUT_MS = 5_000;
    static final int ANSWER_TIMEOUT_MS = 30_000;

    private final String baseUrl;
    private final String token;

    EngineClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    private JsonNode send(String method, String path, JsonNode body) {
        URI uri = URI.create(baseUrl + path);
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("invalid URI scheme " + uri.getScheme());
        }
        // every /api door needs a token, reads too (a viewer's will do)
        if (token == null || token.isBlank()) {
            throw new CliException(UNAUTHORIZED, method + " " + path.replaceAll("\\?.*", "")
                    + " needs the API token: set RUNBOOK_API_TOKEN (or run where data/api-token is readable)");
        }
        boolean post = "POST".equals(method);
        String[] headers = post
                ? new String[] {"Accept: application/json", "Authorization: Bearer " + token, "Content-Type: application/json"}
                : new String[] {"Accept: application/json", "Authorization: Bearer " + token};
        byte[] content = post ? (body == null ? "{}" : Json.compact(body)).getBytes(StandardCharsets.UTF_8) : null;
        HttpCall.Answer answer;
        try {
            answer = HttpCall.exchange(uri, method, headers, content, CONNECT_TIMEOUT_MS, ANSWER_TIMEOUT_MS);
        } catch (HttpCall.NoConnection e) {   // refused, unknown host, connect timeout: one message, as before
            throw new CliException(UNREACHABLE, "cannot reach the engine at " + baseUrl
                    + " (connection refused); is it running? (set RUNBOOK_URL to point elsewhere)");
        } catch (SocketTimeoutException e) {
            throw new CliException(UNREACHABLE, "the engine at " + baseUrl + " did not answer " + method + " " + path
                    + " within 30 s");
        } catch (IOException e) {
            throw new CliException(UNREACHABLE, "cannot reach the engine at " + baseUrl + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
        return answer(method, path, answer.status(), answer.body());
    }

    /** Turns an HTTP answer into JSON, or into the one-line error the command prints. */
    JsonNode answer(String method, String path, int status, String text) {
        JsonNode json = parse(text);
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new CliException(REFUSED, method + " " + path + " answered " + status + " with no JSON body");
            }
            return json;
        }
        String error = json != null && json.hasNonNull("error") ? json.get("error").asText() : null;
        if (status == 401) {
            throw new CliException(UNAUTHORIZED, "the engine refused the API token (" + (error == null ? "401" : error)
                    + "); set RUNBOOK_API_TOKEN to a valid token (your own from 'runbook token create', or the engine's"
                    + " bootstrap token)");
        }
        if (status == 403) {   // a known token without the role: the engine's message says who, what and which role
            throw new CliException(FORBIDDEN, error != null ? error : method + " " + path + " is not allowed (403)");
        }
        if (status == 400 && json != null && json.has("problems")) {   // a run's parameters refused: every problem
            List<String> problems = new java.util.ArrayList<>();
            json.get("problems").forEach(p -> problems.add("  " + p.asText()));
            throw new CliException(BAD_USAGE, error.replaceAll(":.*", ":") + "\n" + String.join("\n", problems));
        }
        if (status == 404) {
            throw new CliException(NOT_FOUND, error != null ? error
                    : "the engine at " + baseUrl + " has no " + method + " " + path.replaceAll("\\?.*", "")
                    + " (404): the feature behind it is not installed on that engine");
        }
        throw new CliException(REFUSED, method + " " + path + " failed with " + status + (error == null ? "" : ": " + error));
    }

    private static JsonNode parse(String text) {
        return text == null || text.isBlank() ? null : Json.parse(text);
    }
}
