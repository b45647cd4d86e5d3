package com.runbook.engine.observe;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.run.Story;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.util.URISupport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records every route node a run executes into the run's {@link Story}: node id and kind, the endpoint URI with secrets
 * masked, {@code routes/<file>:<line>}, start, duration, outcome, and how often it ran. A node of a route wraps itself
 * once, when the route is built; an exchange that is not a run's (no {@link Story#PROPERTY}) costs one property
 * look-up.
 */
final class StepTimeline implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new Recorded(definition, target);
    }

    /** Where a node is written: {@code routes/<file>:<line>} (the path from the last {@code routes/}), or null. */
    static String source(String location, int line) {
        if (location == null || location.isBlank()) {
            return null;
        }
        String path = location.replace('\\', '/');
        int routes = path.lastIndexOf("routes/");
        // the engine loads each file of routes/ under its file name
        String file = routes >= 0 ? path.substring(routes) : "routes/" + path.substring(path.lastIndexOf('/') + 1);
        return line > 0 ? file + ":" + line : file;
    }

    /** The URI of a node that sends to an endpoint, secrets masked ({@code password=xxxxxx}); null for other nodes. */
    static String uri(NamedNode definition) {
        if (definition instanceof EndpointRequiredDefinition sends && sends.getEndpointUri() != null) {
            return mask(sends.getEndpointUri());
        }
        return null;
    }

    /** Options whose name says it holds a secret, beyond Camel's list of exact names ({@code authPassword}, ...). */
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "([?&][^=&]*(?i:password|passphrase|secret|token|apikey|api_key|credential|privatekey)[^=&]*)=([^&]*)");

    /**
     * The URI with its secrets masked: Camel's own masking (user info, the options Camel knows as secret), then every
     * option whose name contains password, secret, token, key, credential. Placeholders ({@code {{...}}}) are shown as
     * written: their values are never resolved here.
     */
    static String mask(String uri) {
        String camel = URISupport.sanitizeUri(uri);
        return SECRET_OPTION.matcher(camel).replaceAll(m -> Matcher.quoteReplacement(m.group(1))
                + "=xxxxxx");
    }

    /**
     * Whether a node acts itself (sends to an endpoint other than a route of the engine, calls a bean or a processor):
     * in a dry run, such a step that adds effects to the plan is shown {@code rehearsed}.
     */
    static boolean acts(String kind, String uri) {
        if (uri != null) {
            return !uri.startsWith("direct:") && !uri.startsWith("seda:") && !uri.startsWith("log:");
        }
        return "bean".equals(kind) || "process".equals(kind);
    }

    private static final class Recorded extends DelegateAsyncProcessor {
        private final NamedNode definition;
        private final String kind;
        private final String uri;
        private final String source;
        private final boolean acts;

        Recorded(NamedNode definition, Processor target) {
            super(target);
            this.definition = definition;
            this.kind = definition.getShortName();
            this.uri = uri(definition);
            this.source = source(definition.getLocation(), definition.getLineNumber());
            this.acts = acts(kind, uri);
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            if (!(exchange.getProperty(Story.PROPERTY) instanceof Story story)) {
                return processor.process(exchange, callback);
            }
            String id = definition.getId();
            Story.Step step = story.started(definition, id == null ? kind : id, kind, uri, source, System.nanoTime());
            // a dry run: a step that acts (sends, calls a bean) and added effects to the plan was rehearsed
            DryRun plan = acts && exchange.getProperty(DryRun.PROPERTY) instanceof DryRun p ? p : null;
            int before = plan == null ? 0 : plan.effects().size();
            return processor.process(exchange, done -> {
                boolean rehearsed = exchange.removeProperty(Story.REHEARSED) != null
                        || plan != null && plan.effects().size() > before;
                story.ended(step, System.nanoTime(), exchange.getException() != null, rehearsed);
                callback.done(done);
            });
        }
    }
}
