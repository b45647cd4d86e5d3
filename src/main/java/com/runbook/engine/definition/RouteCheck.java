package com.runbook.engine.definition;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentResolver;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.TypeConversionException;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.language.simple.types.SimpleIllegalSyntaxException;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.HasExpressionType;
import org.apache.camel.model.OutputNode;
import org.apache.camel.component.bean.MethodNotFoundException;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.OptionalIdentifiedDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.StopDefinition;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.CatchDefinition;
import org.apache.camel.spi.BeanRepository;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.SimpleRegistry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.service.ServiceSupport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds every route of a runbook file the way the engine's start does (endpoints created and their options bound,
 * expressions parsed, placeholders resolved, beans and classes looked up, kamelets and cron expressions read), in a
 * Camel context of its own whose routes are never started: no consumer listens, no producer sends. Bean look-ups
 * and properties come from the context it checks for (the engine's, or the {@code validate} command's), without the
 * beans other route files bound there; what the file itself binds ({@code beans:}) stays in the check context. Both {@code validate} and the engine's load and
 * reload go through {@link RouteFile#parse}, which is this check's {@link #read}, so they give the same verdict.
 */
public final class RouteCheck extends ServiceSupport {
    /** How many failing steps of one route are reported before the route is given up. */
    private static final int MAX_PROBLEMS_PER_ROUTE = 20;
    private static final Map<CamelContext, RouteCheck> CHECKS = Collections.synchronizedMap(new WeakHashMap<>());

    private final DefaultCamelContext context;
    /** The names bound in the check context itself once it started; a file's beans: are unbound after its check. */
    private final Set<String> ownBeans;
    /** The names in the owner's registry that route files bound: a file checked sees the engine's beans and its own. */
    private volatile Predicate<String> filesBeans = name -> false;

    private RouteCheck(CamelContext owner) {
        context = new DefaultCamelContext(new DefaultRegistry(new EngineBeans(owner.getRegistry(), n -> filesBeans.test(n))));
        context.getCamelContextExtension().setName("runbook-check");
        context.setSourceLocationEnabled(true);
        context.setAutoStartup(false);
        context.disableJMX();
        context.getPropertiesComponent().addPropertiesSource(new OwnerProperties(owner));
        // a quartz endpoint parses its cron when created; its scheduler must never start nor join a clustered store
        ComponentResolver resolver = PluginHelper.getComponentResolver(context);
        context.getCamelContextExtension().addContextPlugin(ComponentResolver.class, (name, ctx) -> {
            Component component = resolver.resolveComponent(name, ctx);
            if (component instanceof QuartzComponent quartz) {
                quartz.setAutoStartScheduler(false);
                quartz.setProperties(Map.of("org.quartz.scheduler.instanceName", "runbook-check",
                        "org.quartz.threadPool.threadCount", "1", "org.quartz.scheduler.skipUpdateCheck", "true",
                        "org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore"));
            }
            return component;
        });
        context.start();
        ownBeans = Set.copyOf(localBeans().keySet());
    }

    /** The check for routes loaded into {@code owner}; made once, stopped with {@code owner}. */
    static RouteCheck of(CamelContext owner) {
        return CHECKS.computeIfAbsent(owner, o -> {
            RouteCheck check = new RouteCheck(o);
            check.start();
            try {
                o.addService(check, true, false);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot register the route check", e);
            }
            return check;
        });
    }

    /**
     * Hides the beans that route files bound in the owner's registry from the files checked: a file that used another
     * file's bean would break when that file goes (see {@link Runbooks}).
     */
    void hideFilesBeans(Predicate<String> boundByFiles) {
        filesBeans = boundByFiles;
    }

    @Override
    protected void doStop() {
        CHECKS.values().remove(this);
        context.stop();
    }

    /**
     * The file {@code name} with content {@code text}, loaded in the check context (its routes and configurations, as
     * the engine reads them), with every problem of it: parse problems, then build problems. What the file binds
     * ({@code beans:}) is bound in the check context only, and unbound again before this returns.
     */
    synchronized RouteFile read(java.nio.file.Path path, String name, String text) {
        try {
            RouteFile file = RouteFile.load(context, path, name, text);
            if (file.routes().isEmpty() && !file.problems().isEmpty()) {
                return file;
            }
            return new RouteFile(path, name, text, file.routes(), check(path, name, text), file.configurations(), Set.of());
        } finally {
            localBeans().keySet().removeIf(bean -> !ownBeans.contains(bean));
        }
    }

    private List<Problem> check(java.nio.file.Path path, String name, String text) {
        // the file's routeConfigurations are in the check context while its routes are built, as in the engine
        RouteFile file = RouteFile.parse(context, path, name, text, true);
        try {
            if (file.routes().isEmpty() && !file.problems().isEmpty()) {
                return file.problems();
            }
            List<Problem> problems = new ArrayList<>(file.problems());
            for (RouteDefinition route : file.routes()) {
                build(file, route, problems);
            }
            return problems.stream().distinct().toList();
        } finally {
            RouteFile.uninstall(context, file.configurations());
        }
    }

    /** What is bound in the check context itself (not in the owner's registry it falls back on). */
    private SimpleRegistry localBeans() {
        return (SimpleRegistry) ((DefaultRegistry) context.getRegistry()).getFallbackRegistry();
    }

    /** Adds {@code route} to the check context until it builds, reporting and cutting out each step that fails. */
    private void build(RouteFile file, RouteDefinition route, List<Problem> problems) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> before = routeIds();
        for (OptionalIdentifiedDefinition<?> flagged : file.flaggedSteps()) {
            neutralise(route, flagged);
        }
        String previous = null;
        for (int attempt = 0; attempt < MAX_PROBLEMS_PER_ROUTE; attempt++) {
            Exception failure = null;
            try {
                model.addRouteDefinition(route);
            } catch (Exception e) {
                failure = e;
            } finally {
                cleanUp(model, before, route);
            }
            if (failure == null) {
                return;
            }
            Located located = locate(file, route, failure);
            String cause = located.problem.message().replaceFirst("^.*?: ", "");
            if (cause.equals(previous)) {
                return;   // not the step's doing (e.g. an error handler of the whole file): reported once
            }
            previous = cause;
            problems.add(located.problem);
            if (!neutralise(route, located.node)) {
                return;
            }
        }
    }

    private Set<String> routeIds() {
        Set<String> ids = new java.util.HashSet<>();
        context.getRoutes().forEach(r -> ids.add(r.getRouteId()));
        return ids;
    }

    /** Removes what adding a route left behind: its definition, its route, and the routes its kamelets made. */
    private void cleanUp(Model model, Set<String> before, RouteDefinition route) {
        // the routes never started: removed as they are, without the shutdown strategy a stop goes through
        for (String id : routeIds()) {
            if (!before.contains(id)) {
                try {
                    context.removeRoute(id);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot remove checked route " + id, e);
                }
            }
        }
        model.getRouteDefinitions().removeIf(d -> d == route || !before.contains(d.getRouteId()));
        route.markUnprepared();   // a definition is prepared (error handlers woven in) once per add
    }

    /**
     * Takes a failing part out so the rest of the route can be built: a bad input becomes a private direct: endpoint,
     * a bad step (with everything under its top-level step, so one mistake is reported once) becomes a {@code stop}.
     * False when nothing can be taken out.
     */
    private static boolean neutralise(RouteDefinition route, OptionalIdentifiedDefinition<?> node) {
        if (node instanceof FromDefinition from) {
            if (from.getUri() != null && from.getUri().startsWith("direct:runbook-check-")) {
                return false;
            }
            from.setUri("direct:runbook-check-" + System.identityHashCode(from));
            return true;
        }
        ProcessorDefinition<?> top = topOf(route, node);
        int i = top == null ? -1 : route.getOutputs().indexOf(top);
        if (i < 0) {
            return false;
        }
        route.getOutputs().set(i, new StopDefinition());
        return true;
    }

    private record Located(OptionalIdentifiedDefinition<?> node, Problem problem) {
    }

    private static final Pattern AT = Pattern.compile(" at: >>> (.*?) <<< in route: ", Pattern.DOTALL);

    /** The step that failed and a message that names the route, the step and the cause. */
    private static Located locate(RouteFile file, RouteDefinition route, Exception failure) {
        Cause cause = Cause.of(failure);
        OptionalIdentifiedDefinition<?> at = route.getInput();
        Matcher m = AT.matcher(String.valueOf(failure.getMessage()));
        if (m.find()) {
            for (OptionalIdentifiedDefinition<?> step : steps(route)) {
                if (m.group(1).equals(step.toString())) {
                    at = step;
                    break;
                }
            }
        }
        if (at == route.getInput() && !(failure instanceof FailedToCreateRouteException e && e.getMessage().contains("(source:"))
                && !isEndpointFailure(failure)) {
            at = route;
        }
        int atLine = line(at, route);
        int[] pos = cause.needle == null ? null : SourceText.find(file.text(), cause.needle, atLine, true);
        if (pos == null && cause.needle != null) {
            pos = SourceText.find(file.text(), cause.needle, 1, true);   // e.g. a file-wide onException above the route
        }
        OptionalIdentifiedDefinition<?> node = at;
        OptionalIdentifiedDefinition<?> handler = cause.className == null ? null : handlerOf(route, cause.className);
        if (handler != null) {
            node = handler;
        } else if (pos != null && !(at instanceof FromDefinition)) {
            List<OptionalIdentifiedDefinition<?>> candidates = at == route ? steps(route) : subtree(at);
            node = withExpression(candidates, cause.needle).orElse(deepest(at, candidates, route, pos[0]));
        }
        if (pos == null) {
            int line = line(node, route);
            pos = new int[] {line, SourceText.indent(file.text(), line)};
        }
        String step = node instanceof FromDefinition ? "from" : node instanceof RouteDefinition ? null : node.getShortName();
        String where = RouteFile.named(route) + (step == null ? "" : ", step '" + step + "'") + ": ";
        return new Located(node, new Problem(file.name(), pos[0], pos[1], where + cause.message));
    }

    /** The step among {@code candidates} whose own expression is {@code text} (a when, a filter, a setHeader, ...). */
    private static java.util.Optional<OptionalIdentifiedDefinition<?>> withExpression(
            List<OptionalIdentifiedDefinition<?>> candidates, String text) {
        for (OptionalIdentifiedDefinition<?> step : candidates) {
            if (step instanceof HasExpressionType e && e.getExpressionType() != null
                    && text.equals(e.getExpressionType().getExpression())) {
                return java.util.Optional.of(step);
            }
        }
        return java.util.Optional.empty();
    }

    /** The onException or doCatch of the route that names {@code className}. */
    private static OptionalIdentifiedDefinition<?> handlerOf(RouteDefinition route, String className) {
        for (OptionalIdentifiedDefinition<?> step : steps(route)) {
            if (step instanceof OnExceptionDefinition o && o.getExceptions().contains(className)
                    || step instanceof CatchDefinition c && c.getExceptions().contains(className)) {
                return step;
            }
        }
        return null;
    }

    private static boolean isEndpointFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ResolveEndpointFailedException || t instanceof NoSuchEndpointException) {
                return true;
            }
        }
        return false;
    }

    /** The last of {@code candidates} (in file order) that starts at or before {@code line}; else {@code top}. */
    private static OptionalIdentifiedDefinition<?> deepest(OptionalIdentifiedDefinition<?> top,
            List<OptionalIdentifiedDefinition<?>> candidates, RouteDefinition route, int line) {
        OptionalIdentifiedDefinition<?> best = top;
        if (top == route && route.getInput() != null && route.getInput().getLineNumber() <= line) {
            best = route.getInput();
        }
        for (OptionalIdentifiedDefinition<?> step : candidates) {
            if (step.getLineNumber() > 0 && step.getLineNumber() <= line && step.getLineNumber() >= line(best, null)) {
                best = step;
            }
        }
        return best;
    }

    private static int line(OptionalIdentifiedDefinition<?> node, RouteDefinition route) {
        if (node != null && node.getLineNumber() > 0) {
            return node.getLineNumber();
        }
        return route != null && route.getLineNumber() > 0 ? route.getLineNumber() : 1;
    }

    /** The route's top-level step that holds {@code node}. */
    private static ProcessorDefinition<?> topOf(RouteDefinition route, OptionalIdentifiedDefinition<?> node) {
        for (ProcessorDefinition<?> top : route.getOutputs()) {
            if (subtree(top).stream().anyMatch(n -> n == node)) {
                return top;
            }
        }
        return null;
    }

    /** Every step of a route (when, otherwise, doCatch included), depth first in file order. */
    static List<OptionalIdentifiedDefinition<?>> steps(RouteDefinition route) {
        List<OptionalIdentifiedDefinition<?>> all = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ProcessorDefinition<?> step : route.getOutputs()) {
            walk(step, all, seen);
        }
        return all;
    }

    private static List<OptionalIdentifiedDefinition<?>> subtree(OptionalIdentifiedDefinition<?> top) {
        List<OptionalIdentifiedDefinition<?>> all = new ArrayList<>();
        walk(top, all, Collections.newSetFromMap(new IdentityHashMap<>()));
        return all;
    }

    private static void walk(OptionalIdentifiedDefinition<?> step, List<OptionalIdentifiedDefinition<?>> all, Set<Object> seen) {
        if (step == null || !seen.add(step)) {
            return;
        }
        all.add(step);
        if (step instanceof ChoiceDefinition choice) {
            choice.getWhenClauses().forEach(w -> walk(w, all, seen));
            walk(choice.getOtherwise(), all, seen);
        }
        if (step instanceof org.apache.camel.model.TryDefinition t) {
            t.getCatchClauses().forEach(c -> walk(c, all, seen));
            walk(t.getFinallyClause(), all, seen);
        }
        if (step instanceof OutputNode o) {
            for (ProcessorDefinition<?> child : o.getOutputs()) {
                walk(child, all, seen);
            }
        }
    }

    /** What went wrong, said for an operator, and the text in the file it is about ({@code needle}, may be null). */
    record Cause(String message, String needle, String className) {
        Cause(String message, String needle) {
            this(message, needle, null);
        }

        private static final Pattern MISSING_PROPERTY = Pattern.compile("Property with key \\[([^]]+)] not found");
        private static final Pattern MANDATORY = Pattern.compile(
                "Route template (\\S+) the following mandatory parameters must be provided: (.*)");

        static Cause of(Throwable failure) {
            List<Throwable> chain = new ArrayList<>();
            for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
                chain.add(t);
            }
            for (Throwable t : chain) {
                if (t instanceof SimpleIllegalSyntaxException s) {
                    return new Cause("invalid Simple expression '" + s.getExpression() + "': "
                            + firstLine(s.getMessage()), s.getExpression());
                }
                if (t instanceof MethodNotFoundException mnf) {
                    String type = mnf.getBean() == null ? "the bean" : "class " + mnf.getBean().getClass().getName();
                    return new Cause("no method '" + mnf.getMethodName() + "' on " + type, mnf.getMethodName());
                }
                if (t instanceof NoSuchBeanException b) {
                    return new Cause("no bean named '" + b.getName() + "' (neither the engine nor this file's beans:"
                            + " binds one)", b.getName());
                }
                if (t instanceof ClassNotFoundException c) {
                    String cls = c.getMessage() == null ? "?" : c.getMessage().trim();
                    return new Cause("class '" + cls + "' not found (check its package and spelling)", cls, cls);
                }
                if (t instanceof NoSuchEndpointException e) {
                    String scheme = e.getUri().replaceFirst(":.*", "");
                    return new Cause(notInstalled(scheme), scheme + ":");
                }
                Matcher mp = MISSING_PROPERTY.matcher(String.valueOf(t.getMessage()));
                if (mp.find()) {
                    return new Cause("property '" + mp.group(1) + "' is not defined (set it in application.properties,"
                            + " an environment variable or -D" + mp.group(1) + "=...)", "{{" + mp.group(1));
                }
                Matcher mm = MANDATORY.matcher(String.valueOf(t.getMessage()));
                if (mm.find()) {
                    return new Cause("kamelet '" + mm.group(1) + "' needs " + mm.group(2).trim(), "kamelet:" + mm.group(1));
                }
                if (t instanceof PropertyBindingException p && String.valueOf(p.getValue()).startsWith("#")) {
                    String bean = String.valueOf(p.getValue()).replaceFirst("^#(bean:)?", "");
                    return new Cause("option '" + p.getPropertyName() + "': no bean named '" + bean + "' (neither the"
                            + " engine nor this file's beans: binds one)", String.valueOf(p.getValue()));
                }
                if (t instanceof PropertyBindingException p) {
                    TypeConversionException tc = find(chain, TypeConversionException.class);
                    return new Cause("option '" + p.getPropertyName() + "': " + invalidValue(String.valueOf(p.getValue()),
                            tc == null ? null : tc.getToType()), String.valueOf(p.getValue()));
                }
            }
            Matcher cron = Pattern.compile("CronExpression '(.*?)' is invalid").matcher(messages(chain));
            if (cron.find()) {
                Throwable root = chain.get(chain.size() - 1);
                return new Cause("invalid cron '" + cron.group(1) + "': " + root.getMessage()
                        + " (Quartz syntax: sec min hour day-of-month month day-of-week [year])", "cron");
            }
            Matcher noEnum = Pattern.compile("No enum constant ([\\w.$]+)\\.(\\w+)").matcher(messages(chain));
            if (noEnum.find()) {
                return new Cause(invalidValue(noEnum.group(2), type(noEnum.group(1))), noEnum.group(2));
            }
            TypeConversionException tc = find(chain, TypeConversionException.class);
            if (tc != null && tc.getValue() != null) {
                return new Cause(invalidValue(String.valueOf(tc.getValue()), tc.getToType()), String.valueOf(tc.getValue()));
            }
            Matcher parsing = Pattern.compile("Error parsing \\[(.*?)] as a ([\\w.$]*\\w)").matcher(messages(chain));
            if (parsing.find()) {
                return new Cause(invalidValue(parsing.group(1), type(parsing.group(2))), parsing.group(1));
            }
            Matcher language = Pattern.compile("No language could be found for: (\\S+)").matcher(messages(chain));
            if (language.find()) {
                return new Cause(notInstalled("language", language.group(1)), language.group(1));
            }
            Matcher format = Pattern.compile("Data format '(\\S+)' could not be created").matcher(messages(chain));
            if (format.find()) {
                return new Cause(notInstalled("data format", format.group(1)), null);
            }
            if (messages(chain).contains("Cannot find camel-resilience4j or camel-microprofile-fault-tolerance")) {
                return new Cause("circuitBreaker needs camel-resilience4j, which is not installed in this engine: put"
                        + " camel-resilience4j-<camel version>.jar and the jars it needs in lib/ (see README, \"Adding a"
                        + " Camel component\")", null);
            }
            if (chain.get(chain.size() - 1) instanceof UnsupportedOperationException u && u.getMessage() == null) {
                return new Cause("this endpoint cannot be used here (a component that only receives, such as a timer,"
                        + " can only be a route's from; one that only sends cannot be a from)", null);
            }
            if (failure instanceof FailedToStartRouteException || failure instanceof FailedToCreateRouteException) {
                Throwable root = chain.get(chain.size() - 1);
                return new Cause(firstLine(root.getMessage() == null ? root.toString() : root.getMessage()), null);
            }
            return new Cause(firstLine(failure.getMessage()), null);
        }

        private static Class<?> type(String name) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                return null;
            }
        }

        private static String messages(List<Throwable> chain) {
            StringBuilder all = new StringBuilder();
            chain.forEach(t -> all.append(t.getMessage()).append('\n'));
            return all.toString();
        }

        private static <T> T find(List<Throwable> chain, Class<T> type) {
            return chain.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
        }

        static String invalidValue(String value, Class<?> type) {
            if (type == null) {
                return "invalid value '" + value + "'";
            }
            if (type == Class.class) {
                return "class '" + value + "' not found (check its package and spelling)";
            }
            if (type == Boolean.class || type == boolean.class) {
                return "'" + value + "' is not true or false";
            }
            if (type.isEnum()) {
                return "'" + value + "' is not one of " + String.join(", ",
                        Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList());
            }
            if (type == java.time.Duration.class) {
                return "'" + value + "' is not a number of milliseconds or a duration such as 500ms, 15s, 5m, 1h";
            }
            if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                return "'" + value + "' is not a whole number";
            }
            return "'" + value + "' is not a valid " + type.getSimpleName();
        }

        private static String firstLine(String message) {
            if (message == null) {
                return "";
            }
            int nl = message.indexOf('\n');
            return (nl < 0 ? message : message.substring(0, nl)).trim();
        }
    }

    /** The message for an endpoint scheme that no installed component has. */
    static String notInstalled(String scheme) {
        return notInstalled("component", scheme);
    }

    /** The message for a component or language ({@code kind}) that is not on the class path. */
    static String notInstalled(String kind, String name) {
        return kind + " '" + name + "' is not installed in this engine: put camel-" + name
                + "-<camel version>.jar and the jars it needs in lib/ (see README, \"Adding a Camel component\")";
    }

    /** The owner's beans without those that {@code hidden} names. */
    private record EngineBeans(Registry owner, Predicate<String> hidden) implements BeanRepository {
        @Override
        public Object lookupByName(String name) {
            return hidden.test(name) ? null : owner.lookupByName(name);
        }

        @Override
        public <T> T lookupByNameAndType(String name, Class<T> type) {
            return hidden.test(name) ? null : owner.lookupByNameAndType(name, type);
        }

        @Override
        public <T> Map<String, T> findByTypeWithName(Class<T> type) {
            Map<String, T> found = new java.util.HashMap<>(owner.findByTypeWithName(type));
            found.keySet().removeIf(hidden);
            return found;
        }

        @Override
        public <T> Set<T> findByType(Class<T> type) {
            return new java.util.HashSet<>(findByTypeWithName(type).values());
        }
    }

    /** Properties as the owner context resolves them (its files, overrides, environment). */
    private record OwnerProperties(CamelContext owner) implements PropertiesSource {
        @Override
        public String getName() {
            return "runbook-engine";
        }

        @Override
        public String getProperty(String name) {
            return owner.getPropertiesComponent().resolveProperty(name).orElse(null);
        }
    }
}
