/**
 * The dry run (a run with trigger {@code dry-run}): the real route, with its real parameters and real reads, and no
 * side effect. Fail-closed:
 * <ul>
 *   <li>{@link com.runbook.engine.dryrun.RemoteEndpoints}: the producer of every endpoint Camel says is remote
 *       ({@code Endpoint.isRemote()}: http, mail, telegram, aws2-s3, google-pubsub, sql, file, rest, ...) is guarded;
 *       a dry run's exchange (or a send made while a dry run's step runs on the thread) that reaches it is recorded in
 *       the plan instead of sent, unless the send is known read-only ({@link com.runbook.engine.dryrun.Sends}); a
 *       remote component without a recorder fails the dry run, naming the endpoint. Covers to, toD, enrich, wireTap,
 *       recipientList, split and multicast threads, and ProducerTemplates called from beans.</li>
 *   <li>{@link com.runbook.engine.dryrun.BeanGuard}: a dry run that reaches a bean method without
 *       {@link com.runbook.engine.core.DryRunSafe} (bean EIP, {@code bean:} URI, {@code method} expression) fails,
 *       naming it, before the method is called; a marked method runs with the run's plan as the thread's
 *       {@link com.runbook.engine.core.DryRun#current()}, on whatever thread the step runs.</li>
 *   <li>{@link com.runbook.engine.dryrun.ProcessorGuard}: the same for {@code process} steps (their Processor's
 *       {@code process} method must be {@code @DryRunSafe}).</li>
 *   <li>{@link com.runbook.engine.dryrun.Rehearsals}: the run scope that makes a dry run's plan (exchange property and
 *       thread) and stores it with the run ({@code run_plan}, deleted with its {@code job_run} row).</li>
 * </ul>
 */
package com.runbook.engine.dryrun;
