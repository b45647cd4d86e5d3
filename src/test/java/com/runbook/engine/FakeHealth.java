package com.runbook.engine;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A local HTTP server whose paths answer the status a test sets (default 200), counting the requests per path. */
public final class FakeHealth implements AutoCloseable {
    private final HttpServer server;
    private final ScheduledExecutorService slow = Executors.newScheduledThreadPool(2);
    private final Map<String, Integer> status = new ConcurrentHashMap<>();
    private final Map<String, Integer> delayMs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    public FakeHealth() throws IOException {
        server = LocalHttp.create();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            int code = status.getOrDefault(path, 200);
            // a slow endpoint answers later from another thread; the handler itself never waits
            slow.schedule(() -> {
                try {
                    LocalHttp.respond(exchange, code, null, "ok");
                } catch (IOException e) {
                    // the client gave up (timed out): that is the point of a slow endpoint
                    exchange.close();
                }
            }, delayMs.getOrDefault(path, 0), TimeUnit.MILLISECONDS);
        });
        server.start();
    }

    public String url(String path) {
        return LocalHttp.url(server) + path;
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
        slow.shutdownNow();
    }
}
