package com.runbook.engine.core;

/** Whether the engine accepts work now: doors that are not HTTP (Pub/Sub) open only while it does. */
public interface Readiness {
    /** Runs {@code open} each time the engine becomes ready and {@code close} each time it stops being ready. */
    void whileReady(Runnable open, Runnable close);
}
