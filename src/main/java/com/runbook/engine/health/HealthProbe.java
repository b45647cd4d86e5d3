package com.runbook.engine.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** One HTTP GET of a health URL: up when it answers 2xx within the timeout. */
public final class HealthProbe {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private HealthProbe() {
    }

    /**
     * @param status the HTTP status, 0 when there was no answer
     * @param error  why it is down ("answered 503", "timed out after 5000 ms", "connection refused"), null when up
     */
    public record Result(String url, boolean up, int status, long latencyMs, String error) {
    }

    public static Result check(String url, Duration timeout) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            boolean up = response.statusCode() / 100 == 2;
            return new Result(url, up, response.statusCode(), ms, up ? null : "answered " + response.statusCode());
        } catch (HttpTimeoutException e) {
            return new Result(url, false, 0, (System.nanoTime() - t0) / 1_000_000, "timed out after " + timeout.toMillis() + " ms");
        } catch (java.io.IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.net.ConnectException) {
                why = "connection refused";
            }
            return new Result(url, false, 0, (System.nanoTime() - t0) / 1_000_000, why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(url, false, 0, (System.nanoTime() - t0) / 1_000_000, "interrupted");
        } catch (IllegalArgumentException e) {
            return new Result(url, false, 0, 0, "invalid URL '" + url + "'");
        }
    }
}
