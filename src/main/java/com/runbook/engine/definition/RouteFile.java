package com.runbook.engine.definition;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.KameletDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.model.OptionalIdentifiedDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One parsed {@code routes/*.camel.yaml} file: its route definitions, ready to add to a context, and the problems
 * found in it alone (YAML syntax, unknown DSL keys, missing ids, unknown endpoint schemes and options).
 */
record RouteFile(Path path, String name, String text, List<RouteDefinition> routes, List<Problem> problems,
                        List<RouteConfigurationDefinition> configurations, Set<OptionalIdentifiedDefinition<?>> flaggedSteps) {

    /** Parses {@code path} with {@code context}'s YAML loader; {@code name} is how problems name the file. */
    static RouteFile parse(CamelContext context, Path path, String name) {
        try {
            return parse(context, path, name, Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new RouteFile(path, name, "", List.of(), List.of(new Problem(name, 1, 1, "cannot read file: " + e.getMessage())),
                    List.of(), Set.of());
        }
    }

    /**
     * Parses {@code text} as the content of {@code path} and builds its routes in {@code context}'s {@link RouteCheck}
     * (never started), so that every problem the engine's start would meet is in {@link #problems()}. Nothing of the
     * file reaches {@code context} itself: its {@code beans:} are bound in the check's own registry only.
     */
    static RouteFile parse(CamelContext context, Path path, String name, String text) {
        return RouteCheck.of(context).read(path, name, text);
    }

    /**
     * The routes of this file built in {@code context} (the engine's), to add to it: Camel's loader binds the file's
     * {@code beans:} there as it reads it. Each route takes the file's routeConfigurations that it names when it is
     * built, and those are taken out of the context again at once, so that they reach no other file's routes.
     */
    List<RouteDefinition> build(CamelContext context) {
        RouteFile built = parse(context, path, name, text, false, false, true);
        try {
            if (!built.problems().isEmpty()) {
                throw new IllegalStateException(built.problems().get(0).toString());
            }
            return built.routes();
        } finally {
            uninstall(context, built.configurations());
        }
    }

    /** Takes routeConfigurations a parse with {@code install} put into {@code context} out again. */
    static void uninstall(CamelContext context, List<RouteConfigurationDefinition> configurations) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteConfigurationDefinition configuration : configurations) {
            try {
                model.removeRouteConfiguration(configuration);
            } catch (Exception e) {
                throw new IllegalStateException("cannot remove the route configuration " + configuration.getId(), e);
            }
        }
    }

    /**
     * The parse alone: YAML, DSL keys, ids, endpoint options through the catalog; {@code flag} keeps the steps flagged.
     * The file's routeConfigurations are left in {@code context} (see {@link #uninstall}).
     */
    static RouteFile parse(CamelContext context, Path path, String name, String text, boolean flag) {
        return parse(context, path, name, text, flag, true, true);
    }

    /** The YAML only loaded, in {@code context}: no route is built with the file's routeConfigurations. */
    static RouteFile load(CamelContext context, Path path, String name, String text) {
        return parse(context, path, name, text, false, false, false);
    }

    /**
     * Like {@link #parse(CamelContext, Path, String, String, boolean)}; without {@code check} the YAML is only loaded.
     * With {@code install} the file's routeConfigurations are added to {@code context} before its routes are built
     * (Camel weaves a route's configuration into it as the route is built, not when it is added or started), and left
     * there for the caller to {@link #uninstall}, unless the parse fails.
     */
    private static RouteFile parse(CamelContext context, Path path, String name, String text, boolean flag, boolean check,
                                   boolean install) {
        List<Problem> problems = new ArrayList<>();
        List<RouteDefinition> routes = new ArrayList<>();
        List<RouteConfigurationDefinition> configurations = new ArrayList<>();
        List<RouteConfigurationDefinition> installed = new ArrayList<>();
        try {
            Resource resource = ResourceHelper.fromString(path.getFileName().toString(), routesText(text));
            Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource);
            for (RoutesBuilder builder : builders) {
                if (builder instanceof RouteConfigurationBuilder rcb) {
                    rcb.configuration();
                    configurations.addAll(rcb.getRouteConfigurationCollection().getRouteConfigurations());
                }
            }
            if (install) {
                Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
                for (RouteConfigurationDefinition configuration : configurations) {
                    model.addRouteConfiguration(configuration);
                    installed.add(configuration);
                }
            }
            for (RoutesBuilder builder : builders) {
                if (builder instanceof RouteBuilder rb) {
                    routes.addAll(rb.configureRoutes(context).getRoutes());
                    for (RouteTemplateDefinition t : rb.getRouteTemplateCollection().getRouteTemplates()) {
                        problems.add(atLine(name, text, t.getLineNumber(), "routeTemplate", TEMPLATES));
                    }
                    for (TemplatedRouteDefinition t : rb.getTemplatedRouteCollection().getTemplatedRoutes()) {
                        problems.add(atLine(name, text, 1, "templatedRoute", TEMPLATES));
                    }
                }
            }
        } catch (Exception e) {
            uninstall(context, installed);
            // Camel read the text with the engine's items blanked: a faulty item (one that shares its list item with
            // a route, say) explains the failure better than what Camel made of the rest
            List<Problem> items = itemProblems(name, text);
            problems.addAll(items.isEmpty() ? List.of(SourceText.problem(name, e)) : items);
            return new RouteFile(path, name, text, List.of(), problems, List.of(), Set.of());
        }
        if (!check) {
            return new RouteFile(path, name, text, List.copyOf(routes), List.copyOf(problems), List.copyOf(configurations), Set.of());
        }
        if (routes.isEmpty() && configurations.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(name, 1, 1, "file defines no route"));
        }
        problems.addAll(itemProblems(name, text));
        Map<OptionalIdentifiedDefinition<?>, Problem> flagged = new IdentityHashMap<>();
        DefaultRuntimeCamelCatalog catalog = catalog(context);
        for (RouteDefinition route : routes) {
            FromDefinition from = route.getInput();
            if (!route.hasCustomIdAssigned()) {
                problems.add(at(name, text, from, from == null ? null : from.getEndpointUri(),
                        "route has no id: give every route an explicit id"));
            } else if (!KEBAB_CASE.matcher(route.getRouteId()).matches()) {
                problems.add(at(name, text, route, route.getRouteId(), "route id '" + route.getRouteId()
                        + "' must be kebab-case (lowercase letters and digits in words joined by '-', e.g. nightly-backup):"
                        + " a job's id is also its direct: name, its schedule's job and its name in the API and CLI"));
            }
            // an input other than direct:<its id> is reported once, by Isolation.routes
            Endpoints endpoints = new Endpoints(context, catalog, name, text, route, flagged);
            if (from != null) {
                endpoints.check(from, from.getEndpointUri());
            }
            for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class)) {
                endpoints.check(send, send.getEndpointUri());
            }
            for (ToDynamicDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDynamicDefinition.class)) {
                if (!to.getUri().contains("${")) {
                    endpoints.check(to, to.getUri());
                }
            }
            for (KameletDefinition k : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), KameletDefinition.class)) {
                endpoints.check(k, "kamelet:" + k.getName());
            }
        }
        problems.addAll(flagged.values());
        Set<OptionalIdentifiedDefinition<?>> steps = Collections.newSetFromMap(new IdentityHashMap<>());
        if (flag) {
            steps.addAll(flagged.keySet());
        }
        return new RouteFile(path, name, text, List.copyOf(routes), List.copyOf(problems), List.copyOf(configurations), steps);
    }

    private static final String TEMPLATES = " is not supported in routes/: share steps with a route that reads from"
            + " direct:<its id> in its own file (to: direct:<id>), or use a kamelet from the Kamelet catalog (kamelet:<name>)";

    private static Problem atLine(String name, String text, int line, String key, String message) {
        int[] pos = SourceText.find(text, key, Math.max(1, line));
        return new Problem(name, pos[0], pos[1], key + message);
    }

    private static final java.util.regex.Pattern KEBAB_CASE = java.util.regex.Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** How a problem names a route: by its id, or by its line when it has none (Camel's generated ids vary). */
    static String named(RouteDefinition route) {
        return route.hasCustomIdAssigned() ? "route '" + route.getRouteId() + "'" : "the route at line " + route.getLineNumber();
    }

    boolean isValid() {
        return problems.isEmpty();
    }

    /** A job is a route whose input is {@code direct:<its own id>}. */
    static boolean isJob(RouteDefinition route) {
        return route.getInput() != null && ("direct:" + route.getRouteId()).equals(route.getInput().getEndpointUri());
    }

    private static final Map<CamelContext, DefaultRuntimeCamelCatalog> CATALOGS = Collections.synchronizedMap(new WeakHashMap<>());

    /** One endpoint catalog per context: it caches the component schemas it reads. */
    private static DefaultRuntimeCamelCatalog catalog(CamelContext context) {
        return CATALOGS.computeIfAbsent(context, c -> {
            DefaultRuntimeCamelCatalog catalog = new DefaultRuntimeCamelCatalog();
            catalog.setCamelContext(c);
            catalog.start();
            return catalog;
        });
    }

    /** The parameters the file's job declares ({@code - parameters:} item; see {@link ParameterBlock}). */
    Parameters parameters() {
        return ParameterBlock.of(text).parameters();
    }

    /** The role needed to run the file's job ({@code - access:} item; see {@link AccessBlock}): operator by default. */
    Role runRole() {
        return AccessBlock.of(text).run();
    }

    /** The problems of the engine's own items ({@code - parameters:}, {@code - access:}) of file {@code name}. */
    private static List<Problem> itemProblems(String name, String text) {
        List<Problem> problems = new ArrayList<>(ParameterBlock.of(text).problems(name));
        problems.addAll(AccessBlock.of(text).problems(name));
        return problems;
    }

    /** The text Camel reads: the file's, with the engine's own items ({@code - parameters:}, {@code - access:}) blanked. */
    private static String routesText(String text) {
        return AccessBlock.of(text).routesText(ParameterBlock.of(text).routesText(text));
    }

    List<String> routeIds() {
        return routes.stream().map(RouteDefinition::getRouteId).toList();
    }

    /** 1-based line of a route's {@code id:} in this file (or of its input when the id is not spelled out). */
    int lineOf(RouteDefinition route) {
        int[] pos = SourceText.find(text, "id: " + route.getRouteId());
        if (pos[0] > 1 || text.startsWith("id: ")) {
            return pos[0];
        }
        return route.getInput() != null && route.getInput().getLineNumber() > 0 ? route.getInput().getLineNumber() : 1;
    }

    /** The endpoints of one route, checked through the catalog; a problem names the route and the step. */
    private record Endpoints(CamelContext context, DefaultRuntimeCamelCatalog catalog, String name, String text,
                             RouteDefinition route, Map<OptionalIdentifiedDefinition<?>, Problem> problems) {
        void check(OptionalIdentifiedDefinition<?> where, String uri) {
            if (uri == null || uri.isBlank()) {
                return;
            }
            String step = where instanceof FromDefinition ? "from" : where.getShortName();
            String prefix = named(route) + ", step '" + step + "': ";
            String resolved;
            try {
                resolved = context.resolvePropertyPlaceholders(uri);
            } catch (RuntimeException e) {
                return;   // the build reports the placeholder
            }
            String scheme = resolved.replaceFirst("[:?].*", "");
            if ("kamelet".equals(scheme)) {
                Kamelets.problem(resolved).ifPresent(m -> problems.put(where, at(name, text, where, "kamelet:", prefix + m)));
                return;
            }
            // lenient components (http, ...) pass options they do not know on as query parameters: not an error
            EndpointValidationResult result = catalog.validateEndpointProperties(resolved, false);
            if (result.getUnknownComponent() != null) {
                String needle = text.contains(scheme + ":") ? scheme + ":" : "uri: " + scheme;
                problems.put(where, at(name, text, where, needle, prefix + RouteCheck.notInstalled(scheme)));
            } else if (result.getUnknown() != null && !result.getUnknown().isEmpty()) {
                problems.put(where, at(name, text, where, result.getUnknown().iterator().next(), prefix + "unknown option"
                        + (result.getUnknown().size() > 1 ? "s " : " ") + String.join(", ", result.getUnknown())
                        + " for endpoint '" + uri + "'"));
            } else {
                invalidValue(result).ifPresent(m -> problems.put(where, at(name, text, where, m[0],
                        prefix + "option '" + m[0] + "': " + m[1] + " in endpoint '" + uri + "'")));
            }
        }
    }

    /** The first option whose value the catalog says has the wrong type: its name and what is wrong. */
    private static java.util.Optional<String[]> invalidValue(EndpointValidationResult result) {
        Map<String, String> enums = result.getInvalidEnum();
        if (enums != null && !enums.isEmpty()) {
            Map.Entry<String, String> e = enums.entrySet().iterator().next();
            Object choices = result.getInvalidEnumChoices() == null ? null : result.getInvalidEnumChoices().get(e.getKey());
            return java.util.Optional.of(new String[] {e.getKey(), "'" + e.getValue() + "' is not one of "
                    + (choices instanceof String[] a ? String.join(", ", a) : String.valueOf(choices))});
        }
        String[][] kinds = {{"true or false"}, {"a whole number"}, {"a number"}, {"a duration such as 500ms, 15s, 5m, 1h"}};
        List<Map<String, String>> maps = java.util.Arrays.asList(result.getInvalidBoolean(), result.getInvalidInteger(),
                result.getInvalidNumber(), result.getInvalidDuration());
        for (int i = 0; i < kinds.length; i++) {
            Map<String, String> m = maps.get(i);
            if (m != null && !m.isEmpty()) {
                Map.Entry<String, String> e = m.entrySet().iterator().next();
                return java.util.Optional.of(new String[] {e.getKey(), "'" + e.getValue() + "' is not " + kinds[i][0]});
            }
        }
        return java.util.Optional.empty();
    }

    /** A problem at {@code needle}, searched from {@code where}'s line on. */
    Problem at(OptionalIdentifiedDefinition<?> where, String needle, String message) {
        return at(name, text, where, needle, message);
    }

    private static Problem at(String name, String text, OptionalIdentifiedDefinition<?> where, String needle,
                              String message) {
        int from = where != null && where.getLineNumber() > 0 ? where.getLineNumber() : 1;
        int[] pos = SourceText.find(text, needle, from, true);
        return pos != null ? new Problem(name, pos[0], pos[1], message) : new Problem(name, from, SourceText.indent(text, from), message);
    }
}
