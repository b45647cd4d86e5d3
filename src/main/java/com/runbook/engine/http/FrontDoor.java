package com.runbook.engine.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import com.runbook.engine.core.Readiness;
import com.runbook.engine.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The HTTP server's front door. camel-platform-http (4.17) creates its Vert.x HTTP server with default options and
 * starts listening before any route exists, then adds the routes one by one while the engine goes on starting: left
 * alone, every webhook would answer 404 for 1-3 s (which Alertmanager does not retry), then 202 before the alert
 * routing and the maintenance windows are in force; and the default options have no timeouts, so half-sent requests
 * would hold file descriptors until none were left. Camel uses the Vert.x instance it finds in the registry; the engine
 * binds {@link #wrap(Vertx) a wrapper} there, through which this class sees the server being created, before it
 * listens, and:
 * <ul>
 *   <li>answers every request with 503, {@code Retry-After} and a JSON message until {@link #ready()}, and again from
 *   {@link #stopping()} (Alertmanager and most senders retry a 5xx); {@code /health} goes through to its route as
 *   soon as that route runs (it says DOWN while not ready);</li>
 *   <li>closes a connection when a request's headers are not complete within the header timeout, counted from the
 *   connection's opening for its first request and from the request's first byte for every later one on a keep-alive
 *   connection ({@link HeaderDeadline}), and any connection idle for the idle timeout (Vert.x idleTimeout);</li>
 *   <li>closes at once a connection beyond the cap of open connections, and logs it (at most once a minute).</li>
 * </ul>
 * The doors that are not HTTP (the Cloud Monitoring Pub/Sub subscription) take in nothing while not ready either:
 * {@link #whileReady} starts them at {@link #ready()} and stops them at {@link #stopping()}.
 */
public final class FrontDoor implements Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);

    /** Where the engine is in its life. */
    public enum Phase { STARTING, READY, STOPPING }

    private final Supplier<ServerLimits> limits;
    private final Predicate<String> answersWhileNotReady;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong();
    private final List<Runnable> onReady = new ArrayList<>();
    private final List<Runnable> onStopping = new ArrayList<>();
    private volatile Phase phase = Phase.STARTING;
    private volatile HttpServer server;
    private volatile Throwable listenFailure;

    /**
     * @param settings             read when the server is created (the settings are known by then)
     * @param answersWhileNotReady paths whose route may answer while the engine is not ready (health, once it runs)
     */
    public FrontDoor(Supplier<Settings> settings, Predicate<String> answersWhileNotReady) {
        this.limits = () -> ServerLimits.from(settings.get());
        this.answersWhileNotReady = answersWhileNotReady;
    }

    /** The Vert.x instance to bind for Camel: {@code real}, but every HTTP server it creates goes through this door. */
    public Vertx wrap(Vertx real) {
        return proxy(real, Vertx.class, (p, method, args) -> method.getName().equals("createHttpServer")
                ? create(real, args == null || args.length == 0 ? new HttpServerOptions() : (HttpServerOptions) args[0])
                : invoke(real, method, args));
    }

    /**
     * Every route, the alert routing and the maintenance windows are in force: requests are answered from now on, and
     * the doors registered with {@link #whileReady} start (in the order registered; a failing one fails the start).
     */
    public synchronized void ready() {
        phase = Phase.READY;
        onReady.forEach(Runnable::run);
    }

    /**
     * Shutdown begins: requests get 503 from now on, and the doors registered with {@link #whileReady} stop (in the
     * reverse order), before anything that decides what happens to an alert goes down. A failing one is logged.
     */
    public synchronized void stopping() {
        Phase was = phase;
        phase = Phase.STOPPING;
        if (was != Phase.READY) {
            return;
        }
        for (int i = onStopping.size() - 1; i >= 0; i--) {
            try {
                onStopping.get(i).run();
            } catch (RuntimeException e) {
                LOG.warn("A door did not stop cleanly at the start of shutdown", e);
            }
        }
    }

    /**
     * A door that is not HTTP (a message consumer) and must take nothing in while the engine is not ready: {@code
     * start} runs at {@link #ready()} (at once if the engine is ready already), {@code stop} at {@link #stopping()}
     * (only if it was started).
     */
    @Override
    public synchronized void whileReady(Runnable start, Runnable stop) {
        onReady.add(start);
        onStopping.add(stop);
        if (phase == Phase.READY) {
            start.run();
        }
    }

    public Phase phase() {
        return phase;
    }

    /** The server Vert.x created (not the wrapper Camel holds), or null before it exists. */
    public HttpServer server() {
        return server;
    }

    /** Why the server could not listen (the port is taken, ...), or null. */
    public Throwable listenFailure() {
        return listenFailure;
    }

    /**
     * A body over {@code camel.server.maxBodySize} is refused by Vert.x's body handler before any route sees it; its
     * 413 is JSON like every other error of the API. (A path no door serves keeps the router's plain 404: the command
     * line tells "no such endpoint on that engine" from a JSON "no such job" by it.)
     */
    private static void answerTooLargeAsJson(Router router, long maxBodySize) {
        String tooLarge = "the request body is over " + maxBodySize
                + " bytes, the most the engine accepts (camel.server.maxBodySize)";
        router.errorHandler(413, ctx -> json(ctx.response().setStatusCode(413), tooLarge));
    }

    private static void json(io.vertx.core.http.HttpServerResponse response, String error) {
        try {
            response.putHeader("Content-Type", "application/json")
                    .end(Http.JSON.writeValueAsString(java.util.Map.of("error", error)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connections open now. */
    int openConnections() {
        return open.get();
    }

    /** Connections closed at once because the cap was reached, since start. */
    long refusedConnections() {
        return refused.get();
    }

    private HttpServer create(Vertx real, HttpServerOptions given) {
        ServerLimits l = limits.get();
        // HTTP/1.1 only: with h2c on (Vert.x's default) a connection is set up only once its first bytes came, so the
        // door would not see a client that connects and sends nothing
        HttpServerOptions options = new HttpServerOptions(given).setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) l.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        HttpServer created = real.createHttpServer(options);
        created.connectionHandler(c -> onConnection(c, l));
        server = created;
        return proxy(created, HttpServer.class, (p, method, args) -> {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> router = (Handler<HttpServerRequest>) args[0];
                if (router instanceof Router web) {
                    answerTooLargeAsJson(web, l.maxBodySize());
                }
                created.requestHandler(req -> onRequest(req, router));
                return p;
            }
            if (method.getName().equals("listen") && args != null && args.length == 3 && args[2] instanceof Handler<?>) {
                @SuppressWarnings("unchecked")
                Handler<AsyncResult<HttpServer>> camel = (Handler<AsyncResult<HttpServer>>) args[2];
                created.listen((Integer) args[0], (String) args[1], result -> {
                    if (result.succeeded()) {
                        camel.handle(result);
                        return;
                    }
                    // Camel 4.17 logs a warning and throws from this handler (Vert.x then logs the stack twice) and
                    // goes on starting: the engine refuses the start itself, in one line (Engine.requireHttpListening)
                    listenFailure = result.cause();
                    camel.handle(Future.succeededFuture(created));
                });
                return p;
            }
            Object result = invoke(created, method, args);
            return result == created ? p : result;
        });
    }

    private void onConnection(HttpConnection connection, ServerLimits l) {
        int now = open.incrementAndGet();
        connection.closeHandler(v -> open.decrementAndGet());
        if (now > l.maxConnections()) {
            long n = refused.incrementAndGet();
            long last = lastRefusalLog.get();
            long t = System.currentTimeMillis();
            if (t - last > 60_000 && lastRefusalLog.compareAndSet(last, t)) {
                LOG.warn("{} connections open, more than runbook.http.max-connections={}: new connections are closed at"
                        + " once ({} since start)", now - 1, l.maxConnections(), n);
            }
            connection.close();
            return;
        }
        HeaderDeadline.install(connection, l.headerTimeout());
    }

    private void onRequest(HttpServerRequest request, Handler<HttpServerRequest> router) {
        Phase now = phase;
        if (now != Phase.READY && !answersWhileNotReady.test(request.path())) {
            request.response().setStatusCode(503).putHeader("Retry-After", Http.RETRY_AFTER_SECONDS)
                    .putHeader("Content-Type", "application/json")
                    .end(now == Phase.STARTING
                            ? "{\"error\":\"the engine is starting and accepts no requests yet; retry in a few seconds\"}"
                            : "{\"error\":\"the engine is shutting down; retry in a few seconds\"}");
            return;
        }
        router.handle(request);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(T target, Class<T> type, InvocationHandler handler) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(type);
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            collect(c, interfaces);
        }
        return (T) Proxy.newProxyInstance(type.getClassLoader(), interfaces.stream()
                .filter(i -> java.lang.reflect.Modifier.isPublic(i.getModifiers())).toArray(Class<?>[]::new), handler);
    }

    private static void collect(Class<?> c, Set<Class<?>> into) {
        for (Class<?> i : c.getInterfaces()) {
            if (into.add(i)) {
                collect(i, into);
            }
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
