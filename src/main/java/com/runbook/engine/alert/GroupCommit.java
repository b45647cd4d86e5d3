package com.runbook.engine.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Group commit: the items of concurrent requests are written by one thread in ONE transaction, and every request
 * gets its results only after that commit (so "committed before the 2xx" holds for each). Under load a commit then
 * carries the items of every request that arrived meanwhile instead of one request's; alone, a request is written
 * at once. If a group fails it is rolled back and each request is run again in a transaction of its own on the
 * careful path, so a bad request (or a race lost to another node) fails itself only, exactly as without grouping.
 *
 * @param <T> an item (an alert event)
 * @param <R> what writing an item answers (its incident)
 */
final class GroupCommit<T, R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private record Pending<T, R>(List<T> items, CompletableFuture<List<R>> result) {
    }

    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final TransactionTemplate tx;
    private final BiFunction<List<T>, Boolean, List<R>> write;
    private final int maxItems;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * {@code write} stores a list of items inside the current transaction and answers one result per item, in
     * order; its flag says whether it may take the fast path (batched statements) or must take the careful one
     * (after a group failed). A group holds at most {@code maxItems} items (or one request, if that has more).
     */
    GroupCommit(String name, TransactionTemplate tx, int maxItems, BiFunction<List<T>, Boolean, List<R>> write) {
        this.tx = tx;
        this.write = write;
        this.maxItems = maxItems;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Writes the items (grouped with other requests') and returns their results once committed. */
    List<R> submit(List<T> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        CompletableFuture<List<R>> result = new CompletableFuture<>();
        if (closed) {
            throw new IllegalStateException("the engine is stopping: nothing stored");
        }
        queue.add(new Pending<>(items, result));
        try {
            while (true) {
                try {
                    return result.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (!thread.isAlive()) {   // closed after this request was queued: it was never run
                        throw new IllegalStateException("the engine is stopping: nothing stored");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the commit", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Requests queued, not yet being written. */
    int waiting() {
        return queue.size();
    }

    private void loop() {
        List<Pending<T, R>> group = new ArrayList<>();
        while (!closed) {
            try {
                group.add(queue.take());
                int items = group.get(0).items().size();
                Pending<T, R> next;
                while (items < maxItems && (next = queue.poll()) != null) {
                    group.add(next);
                    items += next.items().size();
                }
                run(group);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                // run() completes every request; this is a safety net so the thread never dies
                LOG.error("Group commit failed", e);
                group.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
        for (Pending<T, R> p; (p = queue.poll()) != null; ) {
            p.result().completeExceptionally(new IllegalStateException("the engine is stopping: nothing stored"));
        }
    }

    private void run(List<Pending<T, R>> group) {
        List<List<R>> results;
        try {
            results = tx.execute(status -> {
                List<T> all = new ArrayList<>();
                group.forEach(p -> all.addAll(p.items()));
                List<R> written = write.apply(all, true);
                List<List<R>> split = new ArrayList<>();
                int from = 0;
                for (Pending<T, R> p : group) {
                    split.add(written.subList(from, from + p.items().size()));
                    from += p.items().size();
                }
                return split;
            });
        } catch (RuntimeException e) {
            LOG.debug("A group of {} requests failed and was rolled back; each runs alone now", group.size(), e);
            results = null;
        }
        if (results != null) {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(results.get(i));
            }
            return;
        }
        for (Pending<T, R> p : group) {
            try {
                p.result().complete(tx.execute(status -> write.apply(p.items(), false)));
            } catch (RuntimeException e) {
                p.result().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
