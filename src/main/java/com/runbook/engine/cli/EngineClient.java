package com.runbook.engine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * Talks to a running engine's HTTP API for the command line. Every failure becomes a {@link CliException} with one
 * line an on-call person can act on and the exit status that names its kind.
 */
class EngineClient {
    /** Exit status: the engine could not be reached. */
    /** Exit status: bad usage, e.g. run parameters the job does not take (400 with the problems listed). */
    static final int BAD_USAGE = 2;
    static final int UNREACHABLE = 3;
    /** Exit status: the engine refused the token (401). */
    static final int UNAUTHORIZED = 4;
    /** Exit status: no such job, run, incident or endpoint (404). */
    static final int NOT_FOUND = 5;
    /** Exit status: any other error answer (4xx/5xx). */
    static final int REFUSED = 6;
    /** Exit status: the token is known but its role does not allow the request (403). */
    static final int FORBIDDEN = 7;

    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if ("POST".equals(method)) {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString()));
        }
        // every /api door needs a token, reads too (a viewer's will do)
        if (token == null || token.isBlank()) {
            throw new CliException(UNAUTHORIZED, method + " " + path.replaceAll("\\?.*", "")
                    + " needs the API token: set RUNBOOK_API_TOKEN (or run where data/api-token is readable)");
        }
        request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliException(UNREACHABLE, "cannot reach the engine at " + baseUrl
                    + " (connection refused); is it running? (set RUNBOOK_URL to point elsewhere)");
        } catch (HttpTimeoutException e) {
            throw new CliException(UNREACHABLE, "the engine at " + baseUrl + " did not answer " + method + " " + path
                    + " within 30 s");
        } catch (IOException e) {
            throw new CliException(UNREACHABLE, "cannot reach the engine at " + baseUrl + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(UNREACHABLE, "interrupted while waiting for the engine");
        }
        return answer(method, path, response.statusCode(), response.body());
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
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
