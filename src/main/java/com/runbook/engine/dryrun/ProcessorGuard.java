package com.runbook.engine.dryrun;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.DelegateProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.RemovePropertiesDefinition;
import org.apache.camel.model.RemovePropertyDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code process} steps of routes ({@code process: {ref: name}} in YAML, a Processor in Java DSL) call Java code
 * that no bean introspection sees: in a dry run such a step fails, naming the processor, unless its
 * {@code process(Exchange)} method is {@link DryRunSafe}; a safe one runs with the run's plan as the thread's
 * {@link DryRun#current()}. A {@code pollEnrich} step fails a dry run: polling may consume what it reads.
 */
final class ProcessorGuard implements InterceptStrategy {

    private final Consumer<DryRun> recorded;

    private ProcessorGuard(Consumer<DryRun> recorded) {
        this.recorded = recorded;
    }

    static void install(CamelContext context, Consumer<DryRun> recorded) {
        context.getCamelContextExtension().addInterceptStrategy(new ProcessorGuard(recorded));
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (definition instanceof PollEnrichDefinition poll) {
            return refusing(target, "dry run: pollEnrich" + (poll.hasCustomIdAssigned() ? " (step " + poll.getId() + ")" : "")
                    + " may consume what it polls (a file moved, a message taken); it was not polled");
        }
        if (definition instanceof RemovePropertiesDefinition || definition instanceof RemovePropertyDefinition
                || definition instanceof SetPropertyDefinition) {
            return keepingThePlan(target);
        }
        if (!(definition instanceof ProcessDefinition process)) {
            return target;
        }
        Object processor = process.getProcessor() != null ? process.getProcessor() : unwrapped(target);
        boolean safe = isSafe(processor);
        String name = process.getRef() != null ? "processor " + process.getRef()
                : "processor " + (processor == null ? "?" : processor.getClass().getName());
        String where = process.hasCustomIdAssigned() ? " (step " + process.getId() + ")" : "";
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Optional<DryRun> plan = RemoteEndpoints.planOf(exchange);
                if (plan.isEmpty()) {
                    return super.process(exchange, callback);
                }
                if (!safe) {
                    exchange.setException(new DryRunRefused("dry run: " + name + where
                            + " is not @DryRunSafe; it was not called"));
                    callback.done(true);
                    return true;
                }
                DryRun before = DryRun.enter(plan.get());
                try {
                    return super.process(exchange, callback);
                } finally {
                    DryRun.enter(before);
                    recorded.accept(plan.get());
                }
            }
        };
    }

    /**
     * A step that removes or sets exchange properties ({@code removeProperties: "*"}): a dry run's plan stays on the
     * exchange (without it, the steps after it on other threads would not know they are rehearsed).
     */
    private static Processor keepingThePlan(Processor target) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Object plan = exchange.getProperty(DryRun.PROPERTY);
                if (!(plan instanceof DryRun)) {
                    return super.process(exchange, callback);
                }
                return super.process(exchange, done -> {
                    exchange.setProperty(DryRun.PROPERTY, plan);
                    callback.done(done);
                });
            }
        };
    }

    /** A step a dry run may not run at all: it fails the dry run with {@code message}; real runs run it. */
    private static Processor refusing(Processor target, String message) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                if (RemoteEndpoints.planOf(exchange).isEmpty()) {
                    return super.process(exchange, callback);
                }
                exchange.setException(new DryRunRefused(message));
                callback.done(true);
                return true;
            }
        };
    }

    /** The runbook's own Processor inside what Camel made of a {@code process} step (bridges, sync delegates). */
    static Object unwrapped(Processor target) {
        Processor p = target;
        for (int i = 0; i < 10 && p instanceof DelegateProcessor d && d.getProcessor() != null; i++) {
            p = d.getProcessor();
        }
        return p;
    }

    static boolean isSafe(Object processor) {
        if (processor == null) {
            return false;
        }
        try {
            return processor.getClass().getMethod("process", Exchange.class).isAnnotationPresent(DryRunSafe.class);
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
