import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Load generator for bench/alerts.sh: POSTs {@code total} alerts in batches of {@code batch} from {@code clients}
 * concurrent clients, each alert a distinct label set, and prints throughput and per-request latency.
 * With RATE (alerts/s, optional) the load is open-loop: request r is due at start + r * BATCH / RATE whatever the
 * answers, and its latency counts from that due time (a server that falls behind shows its queue in the latency
 * instead of slowing the load down); {@code clients} then only caps the requests in flight (use enough of them).
 * Usage: java AlertLoad.java engine|alertmanager URL TOKEN TOTAL BATCH CLIENTS RUN_ID [RATE]
 */
public class AlertLoad {
    public static void main(String[] a) throws Exception {
        String kind = a[0], url = a[1], token = a[2], run = a[6];
        int total = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]), clients = Integer.parseInt(a[5]);
        double rate = a.length > 7 ? Double.parseDouble(a[7]) : 0;
        long interval = rate > 0 ? Math.round(batch * 1e9 / rate) : 0;   // nanoseconds between requests
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
        int requests = total / batch;
        AtomicInteger next = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            jobs.add(pool.submit(() -> {
                int r;
                while ((r = next.getAndIncrement()) < requests) {
                    String body = kind.equals("engine") ? engineBody(run, r, batch) : alertmanagerBody(run, r, batch);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body));
                    if (!token.equals("-")) {
                        b.header("Authorization", "Bearer " + token);
                    }
                    long s = System.nanoTime();
                    if (interval > 0) {   // open loop: wait for this request's due time, count latency from it
                        long due = t0 + r * interval;
                        while (System.nanoTime() < due) {
                            LockSupport.parkNanos(due - System.nanoTime());
                        }
                        s = due;
                    }
                    try {
                        int status = client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status / 100 != 2) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - s);
                }
                return null;
            }));
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("%s: %d alerts in %d requests of %d from %s: %.0f alerts/s, request latency p50 %.1f ms,"
                        + " p99 %.1f ms, failed requests %d%n", kind, requests * batch, requests, batch,
                rate > 0 ? String.format("an open loop offering %.0f alerts/s (at most %d in flight)", rate, clients)
                        : clients + " clients", requests * batch / secs, pct(sorted, 0.50), pct(sorted, 0.99), failed.get());
        pool.shutdownNow();
        System.exit(0);
    }

    static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    static String labels(String run, int r, int i) {
        return "{\"alertname\":\"BenchAlert\",\"severity\":\"warning\",\"run\":\"" + run + "\",\"instance\":\"host-" + r
                + "-" + i + "\"}";
    }

    static String engineBody(String run, int r, int batch) {
        StringBuilder sb = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"engine\",\"alerts\":[");
        for (int i = 0; i < batch; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"status\":\"firing\",\"labels\":").append(labels(run, r, i))
                    .append(",\"annotations\":{\"summary\":\"bench\"},\"startsAt\":\"").append(Instant.now()).append("\"}");
        }
        return sb.append("]}").toString();
    }

    static String alertmanagerBody(String run, int r, int batch) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < batch; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"labels\":").append(labels(run, r, i))
                    .append(",\"annotations\":{\"summary\":\"bench\"},\"startsAt\":\"").append(Instant.now()).append("\"}");
        }
        return sb.append("]").toString();
    }
}
