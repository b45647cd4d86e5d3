package com.runbook.engine.run;

import com.runbook.engine.core.RunLog;
import com.runbook.engine.core.RunStep;
import com.runbook.engine.definition.Parameters;
import com.runbook.engine.text.Text;

import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The story of one run while it goes on: its steps (one per route node that executed, however often) and the lines
 * it logged, capped at {@link #MAX_LINES} lines / {@link #MAX_BYTES} bytes. Shared by the threads of the run (a
 * parallel split), so every method is synchronized. Saved with the run's end by {@link RunStory}.
 */
public final class Story {
    /** The exchange property that holds the run's story: what the step recorder finds on every exchange of the run. */
    public static final String PROPERTY = "RunbookStory";
    /**
     * An exchange property a dry run's recorder sets (to true) on the exchange of a step it rehearsed instead of
     * performing: that step's outcome is {@code rehearsed}. The recorder removes it once the step ended.
     */
    public static final String REHEARSED = "RunbookStepRehearsed";
    /** Most lines kept of one run's log. */
    public static final int MAX_LINES = 2_000;
    /** Most characters (about bytes) kept of one run's log. */
    public static final int MAX_BYTES = 1 << 20;
    /** Most characters of one stored line (a huge message or stack is cut, marked). */
    static final int MAX_LINE = 100_000;

    private final long runId;
    private final Map<Object, Step> steps = new IdentityHashMap<>();
    private final List<Step> order = new ArrayList<>();
    private final List<RunLog.LogLine> lines = new ArrayList<>();
    private int chars;
    private boolean truncated;
    private boolean failureReported;
    /** The values of the run's secret parameters: masked in every line the run's log keeps. */
    private List<String> secrets = List.of();

    Story(long runId) {
        this.runId = runId;
    }

    public long runId() {
        return runId;
    }

    /** One node of the run's route(s), with what all its executions add up to. */
    public static final class Step {
        private final int seq;
        private final String node;
        private final String kind;
        private final String uri;
        private final String source;
        private final Instant startedAt;
        private final long firstNanos;
        private long lastEndNanos;
        private int count;
        private boolean failed;
        private boolean rehearsed;

        private Step(int seq, String node, String kind, String uri, String source, long startNanos) {
            this.seq = seq;
            this.node = node;
            this.kind = kind;
            this.uri = uri;
            this.source = source;
            this.startedAt = Instant.now();
            this.firstNanos = startNanos;
            this.lastEndNanos = startNanos;
        }
    }

    /**
     * The step of {@code key} (the route node; one step per node however often it runs) has started an execution at
     * {@code startNanos}; the other values are used the first time only.
     */
    public synchronized Step started(Object key, String node, String kind, String uri, String source, long startNanos) {
        Step step = steps.get(key);
        if (step == null) {
            step = new Step(order.size() + 1, node, kind, uri, source, startNanos);
            steps.put(key, step);
            order.add(step);
        }
        step.count++;
        return step;
    }

    /** An execution of {@code step} ended at {@code endNanos}, {@code failed} or not, {@code rehearsed} or not. */
    public synchronized void ended(Step step, long endNanos, boolean failed, boolean rehearsed) {
        step.lastEndNanos = Math.max(step.lastEndNanos, endNanos);
        step.failed |= failed;
        step.rehearsed |= rehearsed;
    }

    /**
     * The values of the run's secret parameters ({@link Parameters#secretValues}): no line of its log shows them
     * ({@code ****} instead), whoever logged it.
     */
    public synchronized void mask(List<String> secretValues) {
        secrets = List.copyOf(secretValues);
    }

    /** {@code text} with the values of the run's secret parameters masked ({@code ****}). */
    public synchronized String masked(String text) {
        return Parameters.masked(text, secrets);
    }

    /** Whether {@code text} shows the value of one of the run's secret parameters. */
    public synchronized boolean showsSecret(String text) {
        for (String secret : secrets) {
            if (text != null && text.contains(secret)) {
                return true;
            }
        }
        return false;
    }

    /** A line the run logged, its secrets masked; beyond the cap it is dropped and the log is marked truncated. */
    public synchronized void line(Instant at, String level, String logger, String message) {
        if (truncated) {
            return;
        }
        String text = Text.clean(Parameters.masked(message, secrets), MAX_LINE);
        int size = text.length() + logger.length() + 40;
        if (lines.size() >= MAX_LINES || chars + size > MAX_BYTES) {
            truncated = true;
            return;
        }
        chars += size;
        lines.add(new RunLog.LogLine(lines.size() + 1, at.toString(), level, logger, text));
    }

    /** Camel's error handler reported the run's failure (with its stack trace) in this log. */
    public synchronized void failureReported() {
        failureReported = true;
    }

    /** Whether the run's failure, with its stack trace, is in this log already. */
    public synchronized boolean hasFailureReport() {
        return failureReported;
    }

    /** The timeline so far, in the order the steps started. */
    public synchronized List<RunStep> steps() {
        return order.stream().map(s -> new RunStep(s.seq, s.node, s.kind, s.uri, s.source, s.startedAt.toString(),
                (s.lastEndNanos - s.firstNanos) / 1_000_000, s.failed ? "failed" : s.rehearsed ? "rehearsed" : "ok",
                s.count)).toList();
    }

    /** The lines so far from line {@code from} on. */
    public synchronized RunLog.LogLines log(int from) {
        int first = Math.max(from, 1) - 1;
        return new RunLog.LogLines(first >= lines.size() ? List.of() : List.copyOf(lines.subList(first, lines.size())),
                truncated);
    }

    synchronized List<RunLog.LogLine> lines() {
        return List.copyOf(lines);
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
