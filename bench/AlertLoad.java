import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Before the measured load, CLIENT_WARM alerts (default 2,000; not counted) warm this client up, its JIT and its
 * connections, at the measured rate: a closed-loop burst there would leave the server a backlog (its pages to send)
 * at the measured load's start.
 * Environment: SERVER_PID (the server's pid: also prints the CPU seconds it used for the measured load, with its JIT
 * compiler threads' share), LATENCY_LOG (a path prefix: writes the load's start time, then each measured request's
 * start and latency, there).
 * Usage: java AlertLoad.java engine|alertmanager URL TOKEN TOTAL BATCH CLIENTS RUN_ID [RATE]
 */
public class AlertLoad {
    public static void main(String[] a) throws Exception {
        String kind = a[0], url = a[1], token = a[2], run = a[6];
        int total = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]), clients = Integer.parseInt(a[5]);
        double rate = a.length > 7 ? Double.parseDouble(a[7]) : 0;
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        // the client's own warm-up, not measured: this JVM's JIT and its connections (a fresh client's first half
        // second of requests took 200-280 ms against either server, which was the client starting, not the server)
        int warm = Integer.parseInt(System.getenv().getOrDefault("CLIENT_WARM", "2000"));
        send(kind, url, token, run + "-client-warm", Math.min(total, warm), batch, clients, rate, client, pool);
        long pid = Long.parseLong(System.getenv().getOrDefault("SERVER_PID", "0"));
        double[] cpu0 = cpu(pid);
        Sent sent = send(kind, url, token, run, total, batch, clients, rate, client, pool);
        double[] cpu1 = cpu(pid);
        List<Long> sorted = sent.timeline().stream().map(t -> t[1]).sorted().toList();
        int alerts = sorted.size() * batch;
        System.out.printf("%s: %d alerts in %d requests of %d from %s: %.0f alerts/s, request latency p50 %.1f ms,"
                        + " p99 %.1f ms, failed requests %d%n", kind, alerts, sorted.size(), batch,
                rate > 0 ? String.format("an open loop offering %.0f alerts/s (at most %d in flight)", rate, clients)
                        : clients + " clients", alerts / sent.seconds(), pct(sorted, 0.50), pct(sorted, 0.99), sent.failed());
        if (pid != 0) {
            double all = cpu1[0] - cpu0[0], jit = cpu1[1] - cpu0[1];
            System.out.printf("%s: %.2f CPU seconds for %d alerts: %.0f alerts per CPU-second (JIT compiler threads %.2f s"
                    + " of it; without them %.0f)%n", kind, all, alerts, alerts / all, jit, alerts / (all - jit));
        }
        String log = System.getenv("LATENCY_LOG");
        if (log != null && !log.isBlank()) {   // the load's start, then per request its start (or due time) and latency, in ms
            StringBuilder sb = new StringBuilder("# start " + Instant.ofEpochMilli(sent.startMillis()) + "\n");
            sent.timeline().stream().sorted((x, y) -> Long.compare(x[0], y[0]))
                    .forEach(t -> sb.append(String.format("%.1f %.1f%n", t[0] / 1e6, t[1] / 1e6)));
            Files.writeString(Path.of(log + "-" + kind + "-" + run), sb);
        }
        pool.shutdownNow();
        System.exit(0);
    }

    /** Requests and their {start, latency} (ns, from the load's start), the failed count, the run's seconds and start. */
    record Sent(List<long[]> timeline, int failed, double seconds, long startMillis) {
    }

    /** Sends {@code total} alerts: closed loop, or open loop at {@code rate} alerts/s. */
    static Sent send(String kind, String url, String token, String run, int total, int batch, int clients, double rate,
                     HttpClient client, ExecutorService pool) throws Exception {
        long interval = rate > 0 ? Math.round(batch * 1e9 / rate) : 0;   // nanoseconds between requests
        int requests = total / batch;
        AtomicInteger next = new AtomicInteger();
        List<long[]> timeline = Collections.synchronizedList(new ArrayList<>());   // {start, latency} per request
        AtomicInteger failed = new AtomicInteger();
        long start = System.currentTimeMillis(), t0 = System.nanoTime();
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
                    timeline.add(new long[] {s - t0, System.nanoTime() - s});
                }
                return null;
            }));
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        return new Sent(timeline, failed.get(), (System.nanoTime() - t0) / 1e9, start);
    }

    /**
     * CPU seconds {all threads, JIT compiler threads} a process has used (from /proc; zeros without a pid): with the
     * machine shared, alerts per CPU-second is the figure that does not depend on what else runs.
     */
    static double[] cpu(long pid) throws Exception {
        if (pid == 0) {
            return new double[2];
        }
        double hz = 100;   // USER_HZ: 100 on every Linux this runs on
        double all = ticks(Path.of("/proc/" + pid + "/stat")) / hz, jit = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm"));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        jit += ticks(t.resolve("stat")) / hz;
                    }
                } catch (java.io.IOException gone) {   // a thread that ended meanwhile
                }
            }
        }
        return new double[] {all, jit};
    }

    /** utime + stime of a /proc stat line (fields 14 and 15, after the parenthesised name). */
    static long ticks(Path stat) throws java.io.IOException {
        String line = Files.readString(stat);
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
