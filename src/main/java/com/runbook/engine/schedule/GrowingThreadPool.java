package com.runbook.engine.schedule;

import org.quartz.spi.ThreadPool;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Quartz's worker threads, started when fires need them and ended after a minute without work, up to
 * {@code runbook.scheduler.threads}. Quartz's own pool starts all of them at once: 50 threads (their stacks and native
 * parts, about 5 MB) for an engine whose shipped schedules fire a few times a minute. Same contract as Quartz's
 * {@code SimpleThreadPool}: at most {@code threadCount} runs at a time, {@link #blockForAvailableThreads} waits for a
 * free one, {@link #runInThread} waits when all are busy, and a run handed over while the pool shuts down runs on a
 * thread of its own.
 */
public final class GrowingThreadPool implements ThreadPool {
    private static final long KEEP_ALIVE_SECONDS = 60;
    private final Object lock = new Object();
    private int threadCount = 1;
    private String threadNamePrefix = "runbook-schedule";
    private int busy;
    private boolean shutdown;
    private ThreadPoolExecutor executor;

    /** Quartz sets it from {@code org.quartz.threadPool.threadCount}. */
    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    /** Quartz sets it from {@code org.quartz.threadPool.threadNamePrefix}. */
    public void setThreadNamePrefix(String threadNamePrefix) {
        this.threadNamePrefix = threadNamePrefix;
    }

    @Override
    public void initialize() {
        if (threadCount < 1) {
            throw new IllegalArgumentException("runbook.scheduler.threads must be at least 1, not " + threadCount);
        }
        AtomicInteger number = new AtomicInteger();
        // core = max: a new thread per run until threadCount exist, so a burst never waits behind a queue; each one
        // ends after KEEP_ALIVE_SECONDS idle. The queue never holds more than nothing: runs are handed over only when
        // a thread is free (busy < threadCount).
        executor = new ThreadPoolExecutor(threadCount, threadCount, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadNamePrefix + "-" + number.incrementAndGet());
                    t.setDaemon(false);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        if (runnable == null) {
            return false;
        }
        synchronized (lock) {
            awaitFreeThread();
            if (shutdown) {   // as Quartz's pool: a run handed over while going down still runs, on its own thread
                Thread t = new Thread(runnable, threadNamePrefix + "-shutdown");
                t.start();
                return true;
            }
            busy++;
        }
        try {
            executor.execute(() -> {
                try {
                    runnable.run();
                } finally {
                    release();
                }
            });
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        return true;
    }

    private void release() {
        synchronized (lock) {
            busy--;
            lock.notifyAll();
        }
    }

    @Override
    public int blockForAvailableThreads() {
        synchronized (lock) {
            awaitFreeThread();
            return threadCount - busy;
        }
    }

    /** Holding {@link #lock}: waits until a thread is free or the pool shuts down. */
    private void awaitFreeThread() {
        while (busy >= threadCount && !shutdown) {
            try {
                lock.wait(500);
            } catch (InterruptedException ignored) {
                // as Quartz's pool: keep waiting for a free thread
            }
        }
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        synchronized (lock) {
            shutdown = true;
            lock.notifyAll();
        }
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (waitForJobsToComplete) {
            try {
                while (!executor.awaitTermination(100, TimeUnit.MILLISECONDS)) {
                    // as Quartz's pool: until every run ended
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void setInstanceId(String schedInstId) {
    }

    @Override
    public void setInstanceName(String schedName) {
    }
}
