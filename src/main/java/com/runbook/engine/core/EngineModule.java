package com.runbook.engine.core;

import com.runbook.engine.Engine;

/**
 * A feature that plugs into the engine at start (incidents, notifications, backups, DNS, ...). Modules are found
 * with {@link java.util.ServiceLoader} (listed in {@code META-INF/services/com.runbook.engine.core.EngineModule}) and
 * started in {@link #order()} after the engine database is ready and before the runbooks in {@code routes/} load,
 * so the beans and {@code direct:} routes they bind are there for the runbooks to use.
 */
public interface EngineModule {
    /** Lower starts first. Core services (notify, incident) use 100-199, features 200 and up. */
    default int order() {
        return 500;
    }

    /** Binds beans ({@code engine.context().getRegistry().bind(...)}) and adds Java routes (HTTP endpoints). */
    void start(Engine engine) throws Exception;

    /** Called when the engine stops, in reverse order. */
    default void stop() throws Exception {
    }
}
