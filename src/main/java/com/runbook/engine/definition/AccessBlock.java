package com.runbook.engine.definition;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The {@code - access:} item of a route file: who may run the file's job(s), beside the {@code - route:} items. Like
 * {@link ParameterBlock}, Camel's YAML DSL knows no such item, so its lines are blanked before Camel reads the file
 * ({@link #routesText}: same line numbers).
 * <pre>
 * - access:
 *     run: admin        # operator | admin; without the item (or without run:): operator
 * </pre>
 * {@code viewer} is refused: a viewer only reads (every door that starts a run needs at least operator).
 * Rehearsing a runbook (a dry run) needs operator whatever it declares: a dry run changes nothing outside the engine.
 */
final class AccessBlock {
    static final String KEY = "access";
    /** The role a runbook needs to run when it declares none. */
    static final Role DEFAULT_RUN = Role.OPERATOR;
    private static final List<String> FIELDS = List.of("run");
    /** The roles a runbook may declare to run it (a viewer only reads). */
    private static final String ROLES = Role.OPERATOR.stored() + ", " + Role.ADMIN.stored();
    private static final String ROLE_CHOICES = Role.OPERATOR.stored() + " | " + Role.ADMIN.stored();
    /** Parsed blocks by file text: a route file's text is parsed once however often its access is asked for. */
    private static final Map<String, AccessBlock> PARSED = Collections.synchronizedMap(new WeakHashMap<>());

    /** A problem without its file: a text may be shared by files of several names. */
    private record Found(int line, int column, String message) {
    }

    private static final AccessBlock NONE = new AccessBlock(null, Set.of(), List.of());

    /** The declared role to run, or null when none is declared. */
    private final Role run;
    /** The 0-based lines of the text to blank before Camel reads it. */
    private final Set<Integer> blanked;
    private final List<Found> found;

    private AccessBlock(Role run, Set<Integer> blanked, List<Found> found) {
        this.run = run;
        this.blanked = blanked;
        this.found = found;
    }

    /** The block of a route file's text (parsed once per text). */
    static AccessBlock of(String text) {
        return PARSED.computeIfAbsent(text, AccessBlock::parse);
    }

    /** The role needed to run the file's jobs: the declared one, else {@link #DEFAULT_RUN}. */
    Role run() {
        return run == null ? DEFAULT_RUN : run;
    }

    /**
     * {@code text} with this block's lines blanked: {@code text} is the file's text as given to {@link #of}, or that
     * text with other blocks blanked already (the same lines).
     */
    String routesText(String text) {
        if (blanked.isEmpty()) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        blanked.forEach(i -> {
            if (i < lines.length) {
                lines[i] = "";
            }
        });
        return String.join("\n", lines);
    }

    /** Every problem of the block, in file {@code name}. */
    List<Problem> problems(String name) {
        return found.stream().map(f -> new Problem(name, f.line(), f.column(), f.message())).toList();
    }

    private static AccessBlock parse(String text) {
        if (!text.contains(KEY)) {
            return NONE;
        }
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text))).getSingleNode();
        } catch (YamlEngineException e) {
            return NONE;   // Camel reports the syntax error
        }
        if (root.isEmpty() || !(root.get() instanceof SequenceNode items)) {
            return NONE;
        }
        List<Found> found = new ArrayList<>();
        Set<Integer> blanked = new HashSet<>();
        boolean seen = false;
        Role run = null;
        for (Node item : items.getValue()) {
            if (!(item instanceof MappingNode m) || m.getValue().isEmpty()
                    || !(m.getValue().get(0).getKeyNode() instanceof ScalarNode key) || !KEY.equals(key.getValue())) {
                continue;
            }
            if (seen) {
                found.add(at(item, "a route file declares its access in one '- access:' item; this is a second one"));
            }
            seen = true;
            if (m.getValue().size() > 1) {
                Node other = m.getValue().get(1).getKeyNode();
                found.add(at(other, "'- access:' is an item of its own: put '" + text(other) + "' in another item"));
            }
            Role declared = declaration(m.getValue().get(0).getValueNode(), found);
            run = run == null ? declared : run;
            blank(blanked, text.split("\n", -1).length, item);
        }
        return seen ? new AccessBlock(found.isEmpty() ? run : null, Set.copyOf(blanked), List.copyOf(found)) : NONE;
    }

    /** The item's lines, its '- ' too (the item starts on the line of its dash). */
    private static void blank(Set<Integer> blanked, int lines, Node item) {
        int first = item.getStartMark().map(Mark::getLine).orElse(0);
        Mark end = item.getEndMark().orElse(null);
        int last = end == null ? lines - 1 : end.getColumn() == 0 ? end.getLine() - 1 : end.getLine();
        for (int i = first; i <= Math.min(last, lines - 1); i++) {
            blanked.add(i);
        }
    }

    /** The declared run role of the item's value, or null (none declared, or a problem, added to {@code found}). */
    private static Role declaration(Node node, List<Found> found) {
        if (!(node instanceof MappingNode m)) {
            found.add(at(node, "'access' must be a mapping (run: " + ROLE_CHOICES + ")"));
            return null;
        }
        Role run = null;
        Set<String> keys = new HashSet<>();
        for (NodeTuple t : m.getValue()) {
            String key = text(t.getKeyNode());
            if (!FIELDS.contains(key)) {
                found.add(at(t.getKeyNode(), "unknown key '" + key + "' in 'access' (expected one of: "
                        + String.join(", ", FIELDS) + ")"));
            } else if (!keys.add(key)) {
                found.add(at(t.getKeyNode(), "duplicate key '" + key + "' in 'access'"));
            } else {
                String value = text(t.getValueNode());
                Optional<Role> role = Role.parse(value);
                if (role.isEmpty()) {
                    found.add(at(t.getValueNode(), value == null || value.isBlank()
                            ? "'" + key + "' must be one role (" + ROLE_CHOICES + ")"
                            : "unknown role '" + value + "' for '" + key + "' (expected one of: " + ROLES + ")"));
                } else if (role.get() == Role.VIEWER) {
                    found.add(at(t.getValueNode(), "'" + key + ": " + value + "': a viewer only reads; a runbook needs"
                            + " operator (the default) or admin to run"));
                } else {
                    run = role.get();
                }
            }
        }
        return run;
    }

    private static String text(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    private static Found at(Node node, String message) {
        int line = node.getStartMark().map(mk -> mk.getLine() + 1).orElse(1);
        int column = node.getStartMark().map(mk -> mk.getColumn() + 1).orElse(1);
        return new Found(line, column, message);
    }
}
