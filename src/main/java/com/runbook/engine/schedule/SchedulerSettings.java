package com.runbook.engine.schedule;

import com.runbook.engine.settings.Settings;

import java.time.Duration;

/**
 * The scheduler's settings ({@code runbook.scheduler.*} in application.properties, where each one's default and
 * meaning are).
 *
 * @param store             where Quartz keeps triggers on a single node (clustering always uses the database)
 * @param clustered         several nodes share the triggers in one database; each fire runs on one node
 * @param name              Quartz's scheduler name (the same on every node of one cluster)
 * @param threads           scheduled runs that may go on at once on this node
 * @param misfireThreshold  a fire later than this follows its schedule's misfire policy
 * @param lead              how long before each due time the in-memory store fires a trigger
 * @param checkinInterval   how often a node checks in
 * @param shutdownWait      how long a stop waits for the runs going on before it ends them as failed
 */
record SchedulerSettings(Store store, boolean clustered, String name, int threads, Duration misfireThreshold,
                         Duration lead, Duration checkinInterval, Duration shutdownWait) {

    /** Where Quartz keeps its triggers. */
    enum Store {
        /** In memory (the fires missed while down are found from job_run and the node's check-in). */
        RAM,
        /** Quartz's tables in the engine database. */
        JDBC
    }

    static SchedulerSettings from(Settings s) {
        String store = s.text("runbook.scheduler.store").trim();
        // anything but jdbc is the in-memory store, as the scheduler has always read it
        return new SchedulerSettings("jdbc".equals(store) ? Store.JDBC : Store.RAM,
                s.flag("runbook.scheduler.clustered"),
                s.text("runbook.scheduler.name").trim(),
                s.integer("runbook.scheduler.threads"),
                s.duration("runbook.scheduler.misfire-threshold"),
                s.duration("runbook.scheduler.lead"),
                s.duration("runbook.scheduler.checkin-interval"),
                s.duration("runbook.scheduler.shutdown-wait"));
    }

    /** Triggers live in the database: with the JDBC store, and always when clustered. */
    boolean persistent() {
        return clustered || store == Store.JDBC;
    }
}
