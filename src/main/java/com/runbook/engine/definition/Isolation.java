package com.runbook.engine.definition;

import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.function.Function;

/**
 * The rules that keep a route file to itself: nothing in it may apply to other files' routes, replace what the engine
 * or another file bound, or open a door into the engine. See README, "A runbook, annotated".
 */
final class Isolation {
    /** Route ids the engine's own routes use (HTTP API, webhooks, console, intakes); a file may not take them. */
    static final List<String> ENGINE_ROUTE_PREFIXES =
            List.of("api-", "webhook-", "console-", "cloud-monitoring-", "telegram-");
    /** How a problem about a bean name another route file holds says so. */
    static final String BOUND_BY_FILE = "' is already bound by routes/";
    /** Top-level keys that Camel applies to every route of the context, not just the file's own. */
    private static final Set<String> GLOBAL_KEYS = Set.of("errorHandler", "onException", "intercept", "interceptFrom",
            "interceptSendToEndpoint", "onCompletion");

    private Isolation() {
    }

    /** A top-level item of a route file: its key, its value, and where the key is. */
    private record Item(String key, Node value, int line, int column) {
    }

    /** A route file's top-level items, parsed once for every check below (none when the YAML does not parse). */
    record TopLevel(List<Item> items) {
        static TopLevel of(String text) {
            return new TopLevel(Isolation.items(text));
        }
    }

    /**
     * Problems found in the YAML text before Camel's loader sees it: top-level items that would reach every runbook
     * (a global error handler, a routeConfiguration without an id, an unauthenticated {@code rest:}); a file with one
     * of them is not loaded at all.
     */
    static List<Problem> beforeLoading(String file, TopLevel top) {
        List<Problem> problems = new ArrayList<>();
        for (Item item : top.items()) {
            if (GLOBAL_KEYS.contains(item.key())) {
                problems.add(new Problem(file, item.line(), item.column(), "top-level " + item.key()
                        + " would apply to every runbook in the engine: put it in a routeConfiguration with an id and"
                        + " give this file's routes routeConfigurationId: <that id> (it then applies to those routes only)"));
            } else if ("routeConfiguration".equals(item.key()) && scalar(item.value(), "id").isEmpty()) {
                problems.add(new Problem(file, item.line(), item.column(), "a routeConfiguration without an id applies to"
                        + " every runbook in the engine: give it an id and give this file's routes routeConfigurationId:"
                        + " <that id>"));
            } else if ("rest".equals(item.key())) {
                problems.add(new Problem(file, item.line(), item.column(), "rest would open an HTTP endpoint on the"
                        + " engine's port without the engine's authentication: start a job with POST /api/jobs/<id>/run"
                        + " or from an alert webhook (alert-routing sets its runbook)"));
            }
        }
        return problems;
    }

    /**
     * The file's {@code beans:} whose names someone else already bound: {@code beanOwner} names who (null: free). The
     * file is still checked further (it is read in the check context only), so that every problem is listed.
     */
    static List<Problem> beanClashes(String file, TopLevel top, Function<String, String> beanOwner) {
        List<Problem> problems = new ArrayList<>();
        for (Item item : top.items()) {
            if ("beans".equals(item.key()) && item.value() instanceof SequenceNode beans) {
                for (Node bean : beans.getValue()) {
                    Optional<ScalarNode> name = scalarNode(bean, "name");
                    String owner = name.map(n -> beanOwner.apply(n.getValue())).orElse(null);
                    if (owner != null) {
                        int[] at = position(name.get());
                        problems.add(new Problem(file, at[0], at[1], "bean '" + name.get().getValue()
                                + "' is already bound by " + owner + ": choose another name"));
                    }
                }
            }
        }
        return problems;
    }

    /** A Simple reference to a header: {@code ${header.x}}, {@code ${headers.x}}, {@code ${in.header[x]}}, ... */
    private static final Pattern HEADER_REFERENCE =
            Pattern.compile("\\$\\{(?:in\\.)?headers?(?:\\.|\\[|:)\\s*['\"]?([A-Za-z0-9_.-]+?)['\"]?\\s*[\\]}]");

    /**
     * alert-routing gets an alert's labels as its body, never as headers (labels are data): a {@code ${header.x}} that
     * the route does not set itself is always empty there, so a rule written the old way would silently never match.
     * Each such reference in the route's lines (comments aside) is reported where it is.
     */
    static List<Problem> alertRoutingHeaders(RouteFile file, RouteDefinition route) {
        Set<String> set = ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SetHeaderDefinition.class)
                .stream().map(SetHeaderDefinition::getName).collect(Collectors.toSet());
        int first = Math.max(1, route.getLineNumber());
        int last = file.routes().stream().mapToInt(RouteDefinition::getLineNumber).filter(l -> l > first).min()
                .orElse(Integer.MAX_VALUE) - 1;
        List<Problem> problems = new ArrayList<>();
        String[] lines = file.text().split("\n", -1);
        for (int n = first; n <= Math.min(last, lines.length); n++) {
            String line = lines[n - 1];
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            Matcher m = HEADER_REFERENCE.matcher(line);
            while (m.find()) {
                String name = m.group(1);
                if (!set.contains(name)) {
                    problems.add(new Problem(file.name(), n, m.start() + 1, "alert-routing gets the alert's labels as"
                            + " its body, not as headers: write ${body[" + name + "]} instead of " + m.group()
                            + " (a header here is only one this route sets itself)"));
                }
            }
        }
        return problems;
    }

    /** The names a file's top-level {@code beans:} bind. */
    static List<String> beanNames(String text) {
        return text.contains("beans") ? beanNames(TopLevel.of(text)) : List.of();
    }

    static List<String> beanNames(TopLevel top) {
        List<String> names = new ArrayList<>();
        for (Item item : top.items()) {
            if ("beans".equals(item.key()) && item.value() instanceof SequenceNode beans) {
                beans.getValue().forEach(b -> scalar(b, "name").ifPresent(names::add));
            }
        }
        return names;
    }

    /**
     * Problems of each route of a parsed file: a reserved id, an input other than {@code direct:<id>}, a
     * {@code routeConfigurationId} that is not the id of one of the file's own routeConfigurations.
     */
    static List<Problem> routes(RouteFile file, Set<String> reservedIds) {
        List<Problem> problems = new ArrayList<>();
        Set<String> configurations = new java.util.HashSet<>();
        file.configurations().forEach(c -> configurations.add(c.getId()));
        for (RouteDefinition route : file.routes()) {
            String configurationIds = route.getRouteConfigurationId();
            if (configurationIds != null) {
                for (String configurationId : configurationIds.split(",")) {
                    if (!configurations.contains(configurationId.trim())) {
                        problems.add(file.at(route, "routeConfigurationId", RouteFile.named(route)
                                + " names routeConfigurationId '" + configurationId.trim() + "', but this file has no"
                                + " routeConfiguration with that id: a routeConfiguration applies only to the routes of"
                                + " its own file (copy it into this file)"));
                    }
                }
            }
            String id = route.getRouteId();
            if (id == null || !route.hasCustomIdAssigned()) {
                continue;   // RouteFile reports the missing id
            }
            if (isReserved(id, reservedIds)) {
                problems.add(file.at(route, "id: " + id, "route id '" + id + "' is reserved for the engine's own routes"
                        + " (ids starting with " + String.join(", ", ENGINE_ROUTE_PREFIXES) + " and every route the engine"
                        + " adds): choose another id"));
            }
            if (Runbooks.ALERT_ROUTING.equals(id)) {
                problems.addAll(alertRoutingHeaders(file, route));
            }
            String uri = route.getInput() == null ? null : route.getInput().getEndpointUri();
            if (uri != null && !RouteFile.isJob(route)) {
                String instead = uri.startsWith("platform-http:") || uri.startsWith("rest:")
                        ? "routes/ may not open HTTP endpoints (they would bypass the engine's authentication): start"
                        + " the job with POST /api/jobs/" + id + "/run or from an alert webhook"
                        : uri.startsWith("direct:")
                        ? "a route's direct: name must be its id (a shared step is a job too: call it with to: direct:"
                        + uri.substring("direct:".length()) + " and give it that id)"
                        : "to run it on a timer or cron, write schedules/" + id + ".yaml (every: or cron:)";
                problems.add(file.at(route.getInput(), uri, "route '" + id + "' reads from '" + uri + "': every route in"
                        + " routes/ is a job and reads from direct:" + id + "; " + instead));
            }
        }
        return problems;
    }

    static boolean isReserved(String id, Set<String> reservedIds) {
        return reservedIds.contains(id) || ENGINE_ROUTE_PREFIXES.stream().anyMatch(id::startsWith);
    }

    private static List<Item> items(String text) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel("route file").build()).composeString(text);
        } catch (RuntimeException e) {
            return List.of();   // bad YAML: Camel's loader reports it with its position
        }
        List<Item> items = new ArrayList<>();
        if (root.orElse(null) instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                if (n instanceof MappingNode m) {
                    for (NodeTuple t : m.getValue()) {
                        if (t.getKeyNode() instanceof ScalarNode key) {
                            int[] at = position(key);
                            items.add(new Item(key.getValue(), t.getValueNode(), at[0], at[1]));
                        }
                    }
                }
            }
        }
        return items;
    }

    private static int[] position(Node node) {
        return node.getStartMark().map(m -> new int[] {m.getLine() + 1, m.getColumn() + 1}).orElse(new int[] {1, 1});
    }

    private static Optional<ScalarNode> scalarNode(Node node, String key) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue()) && t.getValueNode() instanceof ScalarNode v) {
                    return Optional.of(v);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scalar(Node node, String key) {
        return scalarNode(node, key).map(ScalarNode::getValue);
    }
}
