package com.runbook.engine.definition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches {@code routes/} and {@code schedules/} and reloads a file once it has been quiet for a short while, so an
 * editor's save (often several writes) becomes one reload.
 */
public class FileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);
    private static final long QUIET_MS = 250;

    private final Runbooks runbooks;
    private final WatchService watch;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runbook-reload");
        t.setDaemon(true);
        return t;
    });
    private final Map<Path, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private final Thread thread;

    public FileWatcher(Runbooks runbooks) throws IOException {
        this.runbooks = runbooks;
        this.watch = FileSystems.getDefault().newWatchService();
        for (Path dir : new Path[] {runbooks.routesDir(), runbooks.schedulesDir()}) {
            if (dir.toFile().isDirectory()) {
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
        thread = new Thread(this::loop, "runbook-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                Path dir = (Path) key.watchable();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context() instanceof Path name) {
                        schedule(dir.resolve(name));
                    }
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(Path file) {
        ScheduledFuture<?> previous = pending.put(file, timer.schedule(() -> {
            pending.remove(file);
            try {
                runbooks.reload(file);
            } catch (RuntimeException e) {
                LOG.error("Reload of {} failed", file, e);
            }
        }, QUIET_MS, TimeUnit.MILLISECONDS));
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void close() throws IOException {
        watch.close();
        timer.shutdownNow();
    }
}
