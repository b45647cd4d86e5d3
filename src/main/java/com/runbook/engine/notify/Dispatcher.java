package com.runbook.engine.notify;

import com.runbook.engine.definition.Durations;
import com.runbook.engine.store.GroupCommit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.HttpResponseAware;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.net.ConnectException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Delivers the outbox: polls due messages, sends each through its {@link Channel} (email, Telegram, Pub/Sub), and
 * records the outcome. Transient failures (connection refused,
 * timeouts, 5xx) are retried with exponential backoff; a 4xx is not; after {@code maxAttempts} the message is dead
 * and {@code onDead} is told (the incident module pages the other channels about the broken one).
 * <p>
 * One broken channel never silences the others: every send has a deadline ({@code sendTimeout}, waiting for a
 * one-at-a-time channel's previous send included), and the poll loop claims only as many messages as its senders have room for, without
 * waiting for a batch to finish; a hung send holds its own sender until its deadline, nothing else.
 */
public final class Dispatcher implements AutoCloseable {
    /** The header carrying a message's idempotency key ({@link Channel#IDEMPOTENCY_HEADER}). */
    public static final String IDEMPOTENCY_HEADER = Channel.IDEMPOTENCY_HEADER;
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    static final long WAKE_DELAY_MS = 20;
    /**
     * A batch is claimed for the lease plus this grace, and a message whose send starts within the grace after the
     * claim is sent without re-taking it ({@link Outbox#take}, a commit of its own): its claim still has at least a
     * full lease ahead, and nobody else can have claimed it. A message that waited longer in its batch (a slow
     * channel) is re-taken first. Each send therefore starts under a claim nobody else holds with a full lease
     * ahead; a node that dies mid-send leaves its messages due again after lease + grace.
     */
    static final Duration TAKE_GRACE = Duration.ofSeconds(1);
    private final Outbox outbox;
    private final NotifySettings settings;
    private final Channels channels;
    /** One lock per channel whose sends go one at a time. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ProducerTemplate producer;
    private final CamelContext context;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "runbook-outbox"));
    private final ExecutorService senders;
    /**
     * Room for claimed messages: one being sent per sender plus a batch ready, so that a sender that finishes goes on
     * at once instead of idling until the poller's next claim ({@link #WAKE_DELAY_MS} later). With only one ready per
     * sender the poller's cadence capped delivery at about 8 messages per 20 ms (358 pages/s in the ingest bench,
     * against 1,957/s when a batch was claimed). The poller claims no more than the free room, most urgent first: a
     * P1 waits for at most the messages already claimed, and a hung send holds only its own sender.
     */
    private final Semaphore slots;
    /**
     * The threads the sends run on, each waited for until its deadline: unbounded, so a send still running after its
     * deadline never delays another one. Not Camel's asyncSend: camel-telegram completes its callback before the
     * failure is on the exchange (a 400 read as delivered), and its producer blocks the calling thread anyway.
     */
    private final ExecutorService io = Executors.newCachedThreadPool(r -> daemon(r, "runbook-outbox-io"));
    /** Endpoints by URI: resolving a URI string normalises it on every send (a tenth of a page's delivery). */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /**
     * The outbox's writer: the "sent" marks of concurrent senders share one commit, and so do the poller's claims
     * (on H2) and the webhook requests that queue pages (the alert intake writes through it too); each sender still
     * waits for its own mark.
     */
    private final GroupCommit writes;
    /** Claims go through {@link #writes} (H2) or commit alone (PostgreSQL): see {@link #pollQuietly}. */
    private final boolean claimInGroup;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile BiConsumer<Outbox.Message, String> onDead = (m, e) -> { };

    Dispatcher(CamelContext context, Outbox outbox, NotifySettings settings, GroupCommit writes, Channels channels) {
        this.context = context;
        this.channels = channels;
        this.outbox = outbox;
        this.settings = settings;
        this.producer = context.createProducerTemplate();
        this.senders = Executors.newFixedThreadPool(settings.threads(), r -> daemon(r, "runbook-outbox-send"));
        this.slots = new Semaphore(settings.threads() + settings.batch());
        this.writes = writes;
        this.claimInGroup = outbox.isH2();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void onDead(BiConsumer<Outbox.Message, String> listener) {
        this.onDead = listener;
    }

    void start() {
        outbox.onEnqueue(this::wake);
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, settings.poll().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs a poll soon after a message was queued, at most one queued at a time: waiting {@link #WAKE_DELAY_MS}
     * lets a burst of pages be claimed in one batch instead of one claim query per page.
     */
    void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            poller.schedule(() -> {
                wakeQueued.set(false);
                pollQuietly();
            }, WAKE_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Claims as many due messages as there is free room (at most a batch) and hands each to the senders; it does not
     * wait for them: a sender that finishes frees its room and wakes the poller. Only this (single) poller thread
     * takes room, so the acquire below never blocks.
     */
    private void pollQuietly() {
        try {
            int free;
            List<Outbox.Message> batch;
            do {
                free = Math.min(settings.batch(), slots.availablePermits());
                if (free == 0) {
                    return;
                }
                long claimedAt = System.nanoTime();
                // on H2 in the outbox writer's group commit, beside the intake's inserts and the senders' marks: a
                // claim committed alone made one more store write (a chunk) per claim, and in a storm, with digests
                // delivering faster, those commits doubled the webhooks' p50 (6 -> 15 ms in the ingest bench). Not on
                // PostgreSQL: there a commit is cheap and the claim's round trips would queue behind the one writer
                // (p50 19 ms, p99 278 ms in the same bench)
                int room = free;
                Supplier<List<Outbox.Message>> claim = () -> outbox.claim(room, settings.lease().plus(TAKE_GRACE));
                batch = claimInGroup ? writes.call(claim) : claim.get();
                // each message is marked sent by its sender right after the send: a batched mark would widen the
                // SMTP-accepted-but-not-marked window (the one place a message can go twice) to the whole batch
                // a storm's pages to one recipient go as digests (fewer sends); each message still holds its room
                for (Digest.Delivery d : Digest.plan(batch, settings.digestOver(), channels::grouping)) {
                    slots.acquire(d.members().size());
                    senders.execute(() -> {
                        try {
                            attempt(d, claimedAt);
                        } catch (RuntimeException e) {
                            LOG.warn("Notification {} to {}: recording the attempt failed; due again after its lease",
                                    d.message().id(), d.message().channel(), e);
                        } finally {
                            slots.release(d.members().size());
                            wake();
                        }
                    });
                }
            } while (batch.size() == free);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Outbox poll failed; next poll in {}", settings.poll(), e);
        }
    }

    /** {@link #attempt(Digest.Delivery, long)} of one message. */
    void attempt(Outbox.Message m, long claimedAt) {
        attempt(Digest.Delivery.single(m), claimedAt);
    }

    /**
     * Sends one claimed message, or one digest of several ({@code claimedAt}: {@link System#nanoTime} before their
     * claim), and records the outcome for each message it stands for.
     */
    void attempt(Digest.Delivery d, long claimedAt) {
        boolean fresh = System.nanoTime() - claimedAt <= TAKE_GRACE.toNanos();
        List<Outbox.Message> members = d.members();
        Outbox.Message message = d.message();
        if (!fresh) {
            members = members.stream().filter(m -> {
                if (outbox.take(m, settings.lease())) {
                    return true;
                }
                LOG.warn("Notification {} to {} skipped: its lease ran out before its turn and another claimer took it",
                        m.id(), m.channel());
                return false;
            }).toList();
            if (members.isEmpty()) {
                return;
            }
            if (members.size() < d.members().size()) {
                message = Digest.Delivery.of(members, channels.grouping(message.channel())).message();
            }
        }
        try {
            deliver(message);
        } catch (InterruptedException e) {   // shutting down: the message stays claimed until its lease ends
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            OffsetDateTime failedAt = Outbox.now();   // one retry time for a digest's pages
            members.forEach(m -> failed(m, e, failedAt));
            return;
        }
        // marked at once (this sender waits for the commit before its next message, which it shares with the marks
        // of the other senders): if this fails or the process dies first, the message goes again after its lease
        // (the one window an SMTP outbox cannot close; the copy carries the same X-Idempotency-Key)
        List<Outbox.Message> sent = members;
        writes.run("", () -> outbox.sent(sent.stream().map(Outbox.Message::id).toList()));
        LOG.debug("Delivered notification {} to {} (attempt {}, {} message(s))", message.id(), message.channel(),
                message.attempts(), sent.size());
    }

    private void failed(Outbox.Message m, Exception e, OffsetDateTime failedAt) {
        String error = describe(e);
        if (isPermanent(e, channels.of(m.channel()))) {
            outbox.dead(m, "not retried: " + error);
            LOG.error("Notification {} to {} refused, not retried: {}", m.id(), m.channel(), error);
            onDead.accept(m, error);
        } else if (m.attempts() >= settings.maxAttempts()) {
            outbox.dead(m, "gave up after " + m.attempts() + " attempts: " + error);
            LOG.error("Notification {} to {} dead after {} attempts: {}", m.id(), m.channel(), m.attempts(), error);
            onDead.accept(m, error);
        } else {
            Duration delay = backoff(m.attempts(), settings.backoff(), settings.backoffMax());
            outbox.retryLater(m, failedAt.plus(delay), error);
            LOG.warn("Notification {} to {} failed (attempt {}), retry in {}: {}", m.id(), m.channel(),
                    m.attempts(), delay, error);
        }
    }

    /** Exponential backoff: {@code base * 2^(attempt-1)}, capped at {@code max}. */
    static Duration backoff(int attempt, Duration base, Duration max) {
        long factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
        Duration d = base.multipliedBy(factor);
        return d.compareTo(max) > 0 || d.isNegative() ? max : d;
    }

    /**
     * True when retrying cannot help: an HTTP 4xx other than 408/429, or what {@code channel} knows to be final (an
     * SMTP rejection, an invalid address). Connection errors, timeouts and 5xx are transient. Each cause is asked in
     * turn, outermost first.
     */
    static boolean isPermanent(Throwable e, Channel channel) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            int status = t instanceof HttpResponseAware aware ? aware.getHttpResponseCode() : channel.httpStatus(t);
            if (status >= 400 && status < 500) {
                return status != 408 && status != 429;
            }
            if (t instanceof ConnectException || t instanceof java.net.SocketTimeoutException) {
                return false;
            }
            Optional<Boolean> verdict = channel.permanent(t);
            if (verdict.isPresent()) {
                return verdict.get();
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root == e || top.contains(String.valueOf(root.getMessage())) ? top : top + " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private void deliver(Outbox.Message m) throws Exception {
        Channel channel = channels.of(m.channel());
        Exchange exchange = new DefaultExchange(context);
        String uri = channel.prepare(m, exchange);
        Endpoint endpoint = endpoints.computeIfAbsent(uri, u -> {
            Endpoint e = context.getEndpoint(u);
            channel.configure(e);
            return e;
        });
        long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
        ReentrantLock lock = channel.oneAtATime() ? locks.computeIfAbsent(channel.name(), n -> new ReentrantLock()) : null;
        // waiting for the lock takes at most half of the deadline, so that a send that goes out has at least the other
        // half to be answered: one let out with a few ms left would time out even on a healthy API, and be sent twice
        Duration lockWait = settings.sendTimeout().dividedBy(2);
        if (lock != null && !lock.tryLock(lockWait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException(timedOut(lockWait) + " waiting for the " + channel.title() + " send before it");
        }
        Exchange result;
        Future<Exchange> sending = io.submit(() -> producer.send(endpoint, exchange));
        try {
            result = sending.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            // interrupted: camel-telegram's wait for the answer and Pub/Sub's wait for the publish end (an SMTP read
            // ends at camel-mail's own timeout). The request itself may still arrive later (at-least-once: the retry
            // carries the same idempotency key). Releasing the lock now is safe: camel-telegram's unsafe part
            // (building the request in memory, before it goes out) is long over
            sending.cancel(true);
            throw new TimeoutException(timedOut(settings.sendTimeout()));
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
        if (result.getException() != null) {
            throw result.getException();
        }
    }

    /** The error of a send that missed its deadline (no URI in it: the Telegram URI holds the bot token). */
    static String timedOut(Duration sendTimeout) {
        return "timed out after " + Durations.format(sendTimeout);
    }

    @Override
    public void close() {
        poller.shutdownNow();
        senders.shutdownNow();
        io.shutdownNow();
        try {
            producer.stop();
        } catch (Exception e) {
            LOG.debug("producer stop", e);
        }
    }
}
