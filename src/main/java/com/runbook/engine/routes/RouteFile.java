package com.runbook.engine.routes;

import com.runbook.engine.params.ParameterBlock;
import com.runbook.engine.params.Parameters;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.model.FromDefinition;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One parsed {@code routes/*.camel.yaml} file: its route definitions, ready to add to a context, and the problems
 * found in it alone (YAML syntax, unknown DSL keys, missing ids, unknown endpoint schemes and options).
 */
public record RouteFile(Path path, String name, String text, List<RouteDefinition> routes, List<Problem> problems) {

    /** Parses {@code path} with {@code context}'s YAML loader; {@code name} is how problems name the file. */
    public static RouteFile parse(CamelContext context, Path path, String name) {
        try {
            return parse(context, path, name, Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new RouteFile(path, name, "", List.of(), List.of(new Problem(name, 1, 1, "cannot read file: " + e.getMessage())));
        }
    }

    /** Parses {@code text} as the content of {@code path}. */
    public static RouteFile parse(CamelContext context, Path path, String name, String text) {
        List<Problem> problems = new ArrayList<>();
        List<RouteDefinition> routes = new ArrayList<>();
        try {
            Resource resource = ResourceHelper.fromString(path.getFileName().toString(), ParameterBlock.of(text).routesText(text));
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
                if (builder instanceof RouteBuilder rb) {
                    routes.addAll(rb.configureRoutes(context).getRoutes());
                }
            }
        } catch (Exception e) {
            problems.add(SourceText.problem(name, e));
            return new RouteFile(path, name, text, List.of(), problems);
        }
        problems.addAll(ParameterBlock.of(text).problems(name));
        if (routes.isEmpty()) {
            problems.add(new Problem(name, 1, 1, "file defines no route"));
        }
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
            if (from != null) {
                checkEndpoint(context, catalog, name, text, from, from.getEndpointUri(), problems);
            }
            for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class)) {
                checkEndpoint(context, catalog, name, text, send, send.getEndpointUri(), problems);
            }
            for (ToDynamicDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDynamicDefinition.class)) {
                if (!to.getUri().contains("${")) {
                    checkEndpoint(context, catalog, name, text, to, to.getUri(), problems);
                }
            }
        }
        return new RouteFile(path, name, text, List.copyOf(routes), List.copyOf(problems));
    }

    private static final java.util.regex.Pattern KEBAB_CASE = java.util.regex.Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public boolean isValid() {
        return problems.isEmpty();
    }

    /** A job is a route whose input is {@code direct:<its own id>}. */
    public static boolean isJob(RouteDefinition route) {
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
    public Parameters parameters() {
        return ParameterBlock.of(text).parameters();
    }

    public List<String> routeIds() {
        return routes.stream().map(RouteDefinition::getRouteId).toList();
    }

    /** 1-based line of a route's {@code id:} in this file (or of its input when the id is not spelled out). */
    public int lineOf(RouteDefinition route) {
        int[] pos = SourceText.find(text, "id: " + route.getRouteId());
        if (pos[0] > 1 || text.startsWith("id: ")) {
            return pos[0];
        }
        return route.getInput() != null && route.getInput().getLineNumber() > 0 ? route.getInput().getLineNumber() : 1;
    }

    private static void checkEndpoint(CamelContext context, DefaultRuntimeCamelCatalog catalog, String name,
                                      String text, OptionalIdentifiedDefinition<?> where, String uri,
                                      List<Problem> problems) {
        if (uri == null || uri.isBlank()) {
            return;
        }
        String resolved;
        try {
            resolved = context.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            problems.add(at(name, text, where, uri, "endpoint '" + uri + "': " + e.getMessage()));
            return;
        }
        EndpointValidationResult result = catalog.validateEndpointProperties(resolved, true);
        if (result.getUnknownComponent() != null) {
            problems.add(at(name, text, where, uri, "unknown endpoint scheme '" + result.getUnknownComponent()
                    + "' in '" + uri + "'"));
        } else if (result.getUnknown() != null && !result.getUnknown().isEmpty()) {
            problems.add(at(name, text, where, uri, "unknown option" + (result.getUnknown().size() > 1 ? "s " : " ")
                    + String.join(", ", result.getUnknown()) + " for endpoint '" + uri + "'"));
        } else if (!result.isSuccess() && result.getSyntaxError() != null) {
            problems.add(at(name, text, where, uri, "invalid endpoint '" + uri + "': " + result.getSyntaxError()));
        }
    }

    /** A problem at {@code needle}, searched from {@code where}'s line on. */
    Problem at(OptionalIdentifiedDefinition<?> where, String needle, String message) {
        return at(name, text, where, needle, message);
    }

    private static Problem at(String name, String text, OptionalIdentifiedDefinition<?> where, String needle,
                              String message) {
        int[] pos = SourceText.find(text, needle, where != null && where.getLineNumber() > 0 ? where.getLineNumber() : 1);
        return new Problem(name, pos[0], pos[1], message);
    }
}
