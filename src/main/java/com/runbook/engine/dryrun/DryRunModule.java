package com.runbook.engine.dryrun;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.run.JobRunner;

/**
 * The dry run: guards bean methods ({@link BeanGuard}) and remote endpoints ({@link RemoteEndpoints}) for dry runs,
 * and makes and stores each dry run's plan ({@link Rehearsals}, the run scope the engine registers with its runner).
 * The engine starts it before the other modules, so that every bean introspection and producer they create is
 * guarded.
 */
public final class DryRunModule implements EngineModule {
    private volatile Rehearsals rehearsals;

    @Override
    public void start(Parts parts) {
        Rehearsals r = new Rehearsals(new PlanStore(parts.db()));
        BeanGuard.install(parts.camel(), r::recorded);
        RemoteEndpoints.install(parts.camel(), r::recorded);
        ProcessorGuard.install(parts.camel(), r::recorded);
        rehearsals = r;
    }

    /** The run scope that makes and stores dry runs' plans (register it with the runner). */
    public JobRunner.RunScope scope() {
        return new JobRunner.RunScope() {
            @Override
            public void entered(long runId, String job, String trigger, org.apache.camel.Exchange exchange) {
                require().entered(runId, job, trigger, exchange);
            }

            @Override
            public void left(long runId, String job, com.runbook.engine.core.RunStatus status, Throwable failure) {
                require().left(runId, job, status, failure);
            }
        };
    }

    private Rehearsals require() {
        Rehearsals r = rehearsals;
        if (r == null) {
            throw new IllegalStateException("the dry-run module has not started");
        }
        return r;
    }
}
