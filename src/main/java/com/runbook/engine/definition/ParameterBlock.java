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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * The {@code - parameters:} item of a route file: a top-level list item of its own, beside the {@code - route:} items,
 * that declares the parameters of the file's job. Camel's YAML DSL knows no such item, so the loader hands Camel the
 * file with the block's lines blanked ({@link #routesText()}: same line numbers, so Camel's positions stay right).
 * <pre>
 * - parameters:
 *     - name: desk
 *       type: enum            # string (default) | integer | decimal | boolean | date | duration | enum
 *       values: [rates, fx]   # enum only
 *       required: true
 *       description: the desk to report on
 *     - name: day
 *       type: date
 *       default: 2026-01-02   # a value of the type; not with required or secret
 * </pre>
 */
final class ParameterBlock {
    static final String KEY = "parameters";
    private static final List<String> FIELDS = List.of("name", "type", "values", "required", "default", "description", "secret");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]*");
    /** Parsed blocks by file text: a route file's text is parsed once however often its declaration is asked for. */
    private static final Map<String, ParameterBlock> PARSED = Collections.synchronizedMap(new WeakHashMap<>());

    /** A problem without its file: a text may be shared by files of several names. */
    private record Found(int line, int column, String message) {
    }

    private static final ParameterBlock NONE = new ParameterBlock(Parameters.UNDECLARED, null, List.of());

    private final Parameters parameters;
    /** The text with the block blanked; null without a block (never the text itself: it is this cache's weak key). */
    private final String blanked;
    private final List<Found> found;

    private ParameterBlock(Parameters parameters, String blanked, List<Found> found) {
        this.parameters = parameters;
        this.blanked = blanked;
        this.found = found;
    }

    /** The block of a route file's text (parsed once per text). */
    static ParameterBlock of(String text) {
        return PARSED.computeIfAbsent(text, ParameterBlock::parse);
    }

    /** The declaration; {@link Parameters#UNDECLARED} without a block or when the block has problems. */
    Parameters parameters() {
        return found.isEmpty() ? parameters : Parameters.UNDECLARED;
    }

    /** The text to hand Camel: {@code text} (the file's, as given to {@link #of}) with the block's lines blanked. */
    String routesText(String text) {
        return blanked == null ? text : blanked;
    }

    /** Every problem of the block, in file {@code name}. */
    List<Problem> problems(String name) {
        return found.stream().map(f -> new Problem(name, f.line(), f.column(), f.message())).toList();
    }

    private static ParameterBlock parse(String text) {
        List<Found> found = new ArrayList<>();
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
        Parameters parameters = Parameters.UNDECLARED;
        String[] lines = text.split("\n", -1);
        for (Node item : items.getValue()) {
            if (!(item instanceof MappingNode m) || m.getValue().isEmpty()
                    || !(m.getValue().get(0).getKeyNode() instanceof ScalarNode key) || !KEY.equals(key.getValue())) {
                continue;
            }
            if (parameters.declared()) {
                found.add(at(item, "a route file declares its parameters in one '- parameters:' item; this is a second one"));
            }
            if (m.getValue().size() > 1) {
                found.add(at(m.getValue().get(1).getKeyNode(), "'- parameters:' is an item of its own: put '"
                        + text(m.getValue().get(1).getKeyNode()) + "' in another item"));
            }
            parameters = declaration(m.getValue().get(0).getValueNode(), found);
            blank(lines, item);
        }
        return parameters.declared() || !found.isEmpty()
                ? new ParameterBlock(parameters, String.join("\n", lines), List.copyOf(found)) : NONE;
    }

    /** Blanks the item's lines, its '- ' too (the item starts on the line of its dash). */
    private static void blank(String[] lines, Node item) {
        int first = item.getStartMark().map(Mark::getLine).orElse(0);
        Mark end = item.getEndMark().orElse(null);
        int last = end == null ? lines.length - 1 : end.getColumn() == 0 ? end.getLine() - 1 : end.getLine();
        for (int i = first; i <= Math.min(last, lines.length - 1); i++) {
            lines[i] = "";
        }
    }

    private static Parameters declaration(Node node, List<Found> found) {
        if (node instanceof ScalarNode s && s.getValue().isEmpty()) {
            return new Parameters(true, List.of());   // "- parameters:" with nothing under it: takes none
        }
        if (!(node instanceof SequenceNode list)) {
            found.add(at(node, "'parameters' must be a list of parameters (- name: ..., type: ...)"));
            return Parameters.UNDECLARED;
        }
        List<Parameter> declared = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node entry : list.getValue()) {
            if (!(entry instanceof MappingNode m)) {
                found.add(at(entry, "each parameter must be a mapping with name, type, ..."));
                continue;
            }
            Parameter p = parameter(m, found);
            if (p != null && !names.add(p.name())) {
                found.add(at(m, "duplicate parameter '" + p.name() + "'"));
            } else if (p != null) {
                declared.add(p);
            }
        }
        return new Parameters(true, List.copyOf(declared));
    }

    private static Parameter parameter(MappingNode m, List<Found> found) {
        int before = found.size();
        Map<String, Node> values = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = text(t.getKeyNode());
            if (!FIELDS.contains(key)) {
                found.add(at(t.getKeyNode(), "unknown key '" + key + "' (expected one of: " + String.join(", ", FIELDS) + ")"));
            } else if (values.put(key, t.getValueNode()) != null) {
                found.add(at(t.getKeyNode(), "duplicate key '" + key + "'"));
            } else if (!"values".equals(key) && !(t.getValueNode() instanceof ScalarNode)) {
                found.add(at(t.getValueNode(), "'" + key + "' must be a single value"));
            }
        }
        String name = text(values.get("name"));
        if (name == null || name.isBlank()) {
            found.add(at(m, "parameter has no 'name'"));
        } else if (!NAME.matcher(name).matches() || name.startsWith(Parameters.ENGINE_PREFIX)) {
            found.add(at(values.get("name"), "parameter name '" + name + "' must be letters, digits and _, start with a"
                    + " letter, and not start with '" + Parameters.ENGINE_PREFIX + "' (the engine's own headers)"));
        }
        String typeName = values.containsKey("type") ? text(values.get("type")) : "string";
        ParamType type = ParamType.of(typeName).orElse(null);
        if (type == null) {
            found.add(at(values.get("type"), "unknown type '" + typeName + "' (expected one of: " + ParamType.NAMES + ")"));
        }
        List<String> allowed = new ArrayList<>();
        Node valuesNode = values.get("values");
        if (valuesNode instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
            seq.getValue().forEach(v -> {
                if (v instanceof ScalarNode s) {
                    allowed.add(s.getValue());
                } else {
                    found.add(at(v, "each of 'values' must be a single value"));
                }
            });
        }
        if (type == ParamType.ENUM && allowed.isEmpty() && !(valuesNode instanceof SequenceNode seq && !seq.getValue().isEmpty())) {
            found.add(at(valuesNode == null ? m : valuesNode, "an enum parameter needs 'values': a list of the allowed values"));
        } else if (type != ParamType.ENUM && valuesNode != null) {
            found.add(at(valuesNode, "'values' is for type enum only"));
        }
        boolean required = flag(values.get("required"), "required", found);
        boolean secret = flag(values.get("secret"), "secret", found);
        String dflt = text(values.get("default"));
        if (dflt != null && required) {
            found.add(at(values.get("default"), "a required parameter has no default (drop 'required' or 'default')"));
        } else if (dflt != null && secret) {
            found.add(at(values.get("default"), "a secret has no default in a route file (pass it when the run starts)"));
        } else if (dflt != null && type != null) {
            try {
                type.convert(dflt, allowed);
            } catch (IllegalArgumentException e) {
                found.add(at(values.get("default"), "default must be " + e.getMessage()));
            }
        }
        if (found.size() > before) {
            return null;
        }
        return new Parameter(name, type, List.copyOf(allowed), required, dflt, text(values.get("description")), secret);
    }

    private static boolean flag(Node node, String key, List<Found> found) {
        if (node == null) {
            return false;
        }
        String v = text(node);
        if (!"true".equals(v) && !"false".equals(v)) {
            found.add(at(node, "'" + key + "' must be true or false, not '" + v + "'"));
        }
        return "true".equals(v);
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
