package com.runbook.engine;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A local HTTP server whose paths answer the status a test sets (default 200), counting the requests per path. */
public final class FakeHealth implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Integer> status = new ConcurrentHashMap<>();
    private final Map<String, Integer> delayMs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    public FakeHealth() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            int delay = delayMs.getOrDefault(path, 0);
            if (delay > 0) {
                try {
                    Thread.sleep(delay); // the server side of a slow endpoint, not a test wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(status.getOrDefault(path, 200), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void set(String path, int code) {
        status.put(path, code);
    }

    public void delay(String path, int ms) {
        delayMs.put(path, ms);
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    public void reset() {
        status.clear();
        delayMs.clear();
        hits.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
