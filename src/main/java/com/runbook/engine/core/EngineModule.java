package com.runbook.engine.core;

/**
 * A feature that plugs into the engine at start (notifications, incidents, alerts, backups, DNS, ...). The engine
 * (its composition root) creates each module, starts them in its list's order after the engine database is ready
 * and before the runbooks in {@code routes/} load, so the beans and routes they add are there for the runbooks.
 */
public interface EngineModule {
    /** Adds the module's routes and doors, and binds the beans its runbooks call, from the parts it is given. */
    void start(Parts parts) throws Exception;

    /** Called when the engine stops, in reverse order. */
    default void stop() throws Exception {
    }
}
