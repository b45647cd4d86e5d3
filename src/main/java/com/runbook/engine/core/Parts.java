package com.runbook.engine.core;

import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.settings.Settings;
import com.runbook.engine.store.GroupCommit;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What the engine hands every module at start, typed: modules never look each other up by name.
 *
 * @param camel     the Camel context the module adds its routes to and binds its runbook beans in
 * @param settings  the engine's settings (strict: only keys {@code application.properties} declares)
 * @param db        the engine database
 * @param writes    the shared group commit: the outbox's and the alert intake's transactions share its commits
 * @param runbooks  the runbook and schedule definitions in force
 * @param runs      the one way to start a run (every door: API, CLI, console, schedule, alert, trading, DNS)
 * @param incidents opens and resolves incidents
 * @param notifier  queues notifications for durable delivery
 * @param doors     where the module opens its doors (the HTTP edge serves them)
 * @param readiness whether the engine accepts work, for doors that are not HTTP (Pub/Sub)
 * @param meters    the metrics registry behind {@code /metrics}
 * @param base      the folder holding {@code routes/} and {@code schedules/}
 * @param dataDir   the data folder
 * @param apiToken  the bearer token of the API (bootstrap admin)
 * @param clock     the engine's clock (tests move it)
 * @param audit     the audit trail: every change of state records its entry in the change's own transaction
 */
public record Parts(CamelContext camel, Settings settings, DataSource db, GroupCommit writes, Runbooks runbooks,
                    RunStarter runs, IncidentRaiser incidents, Notifier notifier, Doors doors, Readiness readiness,
                    MeterRegistry meters, Path base, Path dataDir, Supplier<String> apiToken, Clock clock,
                    Audit audit) {
}
