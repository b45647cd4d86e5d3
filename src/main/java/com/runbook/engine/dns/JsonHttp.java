package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** JSON over HTTPS with a bearer token, for the DNS providers' REST APIs. The token is never logged or echoed. */
final class JsonHttp {
    /** Made at the first call, not at the start: a client loads the trust store (0.1-0.2 s of a start). */
    private static final class Client {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonHttp() {
    }

    /** Sends the request; a non-2xx answer becomes a {@link DnsException} naming {@code what} and the status. */
    static JsonNode send(String what, String method, String url, String token, Object body, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = Client.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                throw new DnsException(DnsException.Kind.FAILED, what + " failed: HTTP " + response.statusCode() + errorText(json));
            }
            return json;
        } catch (IOException e) {
            throw new DnsException(DnsException.Kind.FAILED, what + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsException(DnsException.Kind.UNAVAILABLE, what + " interrupted");
        }
    }

    /** Cloudflare's {@code errors[0].message} or Google's {@code error.message}, when the body has one. */
    static String errorText(JsonNode json) {
        String m = json.path("errors").path(0).path("message").asText(json.path("error").path("message").asText(""));
        return m.isEmpty() ? "" : " (" + m + ")";
    }
}
