package com.runbook.engine.dryrun;

import com.runbook.engine.core.DryRun;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Channel;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.Route;
import org.apache.camel.spi.InterceptSendToEndpoint;
import org.apache.camel.spi.InternalProcessor;
import org.apache.camel.spi.InternalProcessorFactory;
import org.apache.camel.spi.SharedInternalProcessor;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.service.ServiceHelper;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Guards every producer Camel creates for a remote endpoint ({@link Endpoint#isRemote()}) or one of a component not
 * known to be local ({@link #LOCAL}: Camel calls exec local): those of {@code to} and
 * those of the producer caches behind {@code toD}, {@code enrich}, {@code wireTap}, {@code recipientList} and the
 * ProducerTemplates of beans. Camel creates them all through its {@link InternalProcessorFactory}; this one wraps the
 * producers of remote endpoints (the endpoints themselves stay as they are: components that look one up and cast it,
 * as rest does with http, keep working). A real run's send goes through untouched; a dry run's send (the exchange
 * carries the plan, or the sending thread is running a dry run's step) is judged by {@link Sends}: reads are
 * performed, effects recorded in the plan and not performed, anything else fails the dry run naming the endpoint.
 */
final class RemoteEndpoints {
    private RemoteEndpoints() {
    }

    /** Puts the guarding factory into {@code context} (before routes and producer templates are created). */
    static void install(CamelContext context, Consumer<DryRun> recorded) {
        InternalProcessorFactory camel = PluginHelper.getInternalProcessorFactory(context);
        if (!(camel instanceof Guarding)) {
            context.getCamelContextExtension().addContextPlugin(InternalProcessorFactory.class,
                    new Guarding(camel, recorded));
        }
    }

    /**
     * Components whose producers stay inside the engine and change nothing outside the run: routing to other routes
     * (whose own steps are guarded), logging, templating, bean calls (guarded by {@link BeanGuard}), expressions.
     * Camel says {@code isRemote() == false} for many components with effects ({@code exec} runs a command,
     * {@code controlbus} stops routes, {@code micrometer} changes metrics, {@code language} may run any script): every
     * producer not on this list is guarded as if it were remote.
     */
    static final Set<String> LOCAL = Set.of("direct", "seda", "log", "bean", "class", "kamelet", "freemarker",
            "velocity", "mustache", "thymeleaf", "dataformat", "validator", "xslt", "xj", "jsonata", "jslt",
            "json-validator", "mock", "stub", "browse");

    /** Whether a producer of {@code endpoint} is guarded: Camel says it is remote, or it is not known local. */
    static boolean guarded(Endpoint endpoint) {
        return endpoint.isRemote() || !LOCAL.contains(Sends.scheme(endpoint.getEndpointUri()));
    }

    /** The plan a send belongs to: the exchange's, else the one of the dry run step the thread runs. */
    static Optional<DryRun> planOf(Exchange exchange) {
        Object plan = exchange == null ? null : exchange.getProperty(DryRun.PROPERTY);
        return plan instanceof DryRun d ? Optional.of(d) : DryRun.current();
    }

    /** Camel's factory, with the producers of remote endpoints guarded. */
    static final class Guarding implements InternalProcessorFactory {
        private final InternalProcessorFactory camel;
        private final Consumer<DryRun> recorded;

        Guarding(InternalProcessorFactory camel, Consumer<DryRun> recorded) {
            this.camel = camel;
            this.recorded = recorded;
        }

        @Override
        public AsyncProducer createAsyncProducer(Endpoint endpoint) throws Exception {
            AsyncProducer producer = camel.createAsyncProducer(endpoint);
            return guarded(endpoint) ? new RecordingProducer(endpoint, producer, recorded) : producer;
        }

        @Override
        public Producer createProducer(Endpoint endpoint) throws Exception {
            Producer producer = camel.createProducer(endpoint);
            return guarded(endpoint)
                    ? new RecordingProducer(endpoint, AsyncProcessorConverterHelper.convert(producer), recorded) : producer;
        }

        @Override
        public InternalProcessor addUnitOfWorkProcessorAdvice(CamelContext context, Processor processor, Route route) {
            return camel.addUnitOfWorkProcessorAdvice(context, processor, route);
        }

        @Override
        public SharedInternalProcessor createSharedCamelInternalProcessor(CamelContext context) {
            return camel.createSharedCamelInternalProcessor(context);
        }

        @Override
        public Channel createChannel(CamelContext context) {
            return camel.createChannel(context);
        }

        @Override
        public AsyncProducer createInterceptSendToEndpointProcessor(InterceptSendToEndpoint endpoint, Endpoint delegate,
                                                                    AsyncProducer producer, boolean skip, Predicate onWhen) {
            return camel.createInterceptSendToEndpointProcessor(endpoint, delegate, producer, skip, onWhen);
        }

        @Override
        public AsyncProcessor createWrapProcessor(Processor processor, Processor wrapped) {
            return camel.createWrapProcessor(processor, wrapped);
        }

        @Override
        public AsyncProducer createUnitOfWorkProducer(Producer producer) {
            return camel.createUnitOfWorkProducer(producer);
        }
    }

    /** Sends a real run's exchanges; records a dry run's (or fails it). */
    static final class RecordingProducer extends DefaultAsyncProducer {
        private final Endpoint original;
        private final AsyncProducer real;
        private final Consumer<DryRun> recorded;

        RecordingProducer(Endpoint original, AsyncProducer real, Consumer<DryRun> recorded) {
            super(original);
            this.original = original;
            this.real = real;
            this.recorded = recorded;
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            Optional<DryRun> plan = planOf(exchange);
            if (plan.isEmpty()) {
                return real.process(exchange, callback);
            }
            Sends.Verdict verdict;
            try {
                verdict = Sends.of(original, exchange);
            } catch (RuntimeException e) {
                exchange.setException(new DryRunRefused("dry run: could not tell what " + Sends.masked(
                        original.getEndpointUri()) + " would do (" + e.getMessage() + "); it was not called"));
                callback.done(true);
                return true;
            }
            if (verdict instanceof Sends.Read) {
                return real.process(exchange, callback);
            }
            if (verdict instanceof Sends.Effect e) {
                plan.get().wouldDo(e.kind(), e.effect());
                exchange.setProperty(REHEARSED, Boolean.TRUE);
                recorded.accept(plan.get());
            } else if (verdict instanceof Sends.Unhandled u) {
                exchange.setException(new DryRunRefused(u.message()));
            }
            callback.done(true);
            return true;
        }

        @Override
        public boolean isSingleton() {
            return real.isSingleton();   // a pooled producer stays pooled
        }

        @Override
        protected void doStart() throws Exception {
            ServiceHelper.startService(real);
        }

        @Override
        protected void doStop() throws Exception {
            ServiceHelper.stopService(real);
        }

        @Override
        protected void doShutdown() throws Exception {
            ServiceHelper.stopAndShutdownService(real);
        }
    }

    /**
     * The exchange property set (true) on a dry run's exchange when a send was recorded instead of performed: the step
     * timeline shows that step {@code rehearsed} and removes the property when the step ends (run.Story.REHEARSED).
     */
    static final String REHEARSED = "RunbookStepRehearsed";
}
