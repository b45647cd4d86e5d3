package com.runbook.engine;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A local HTTP server playing a provider's REST API: canned answers per "METHOD path", every request recorded. */
public final class RecordingApi implements AutoCloseable {
    public record Request(String method, String pathAndQuery, String authorization, String contentType, String body) {
    }

    private final HttpServer server;
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();

    public RecordingApi() throws IOException {
        server = LocalHttp.create();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String key = exchange.getRequestMethod() + " " + path;
            requests.add(new Request(exchange.getRequestMethod(), path + (query == null ? "" : "?" + query),
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            LocalHttp.respond(exchange, statuses.getOrDefault(key, answers.containsKey(key) ? 200 : 404), "application/json",
                    answers.getOrDefault(key, "{}"));
        });
        server.start();
    }

    public void answer(String methodAndPath, int status, String json) {
        answers.put(methodAndPath, json);
        statuses.put(methodAndPath, status);
    }

    public String url() {
        return LocalHttp.url(server);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
