package com.runbook.engine.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON for the command line: Jackson's tree nodes, read and written with jackson-core's streaming parser and generator
 * rather than an {@code ObjectMapper}. The mapper's set-up (serializer and deserializer factories, type factory,
 * caches: some 300 classes) was a fifth of a client command's wall time; a command needs none of it. The trees are the
 * ones {@code ObjectMapper.readTree} builds (int, long, big integer or double numbers) and the text is the one
 * {@code JsonNode.toString()} / {@code toPrettyString()} writes (same generator, same default pretty printer).
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static JsonNode number(long value) {
        return NODES.numberNode(value);
    }

    /** The tree of the JSON value {@code text} starts with, or null when it starts with none. */
    static JsonNode parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            return value(parser, first);   // what follows the first value is not read, as readTree does
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    object.set(name, value(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(value(parser, t));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return NODES.numberNode(parser.getIntValue());
                    case LONG:
                        return NODES.numberNode(parser.getLongValue());
                    default:
                        return NODES.numberNode(parser.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new IOException("unexpected " + token);
        }
    }

    /** One line, as {@code JsonNode.toString()}. */
    static String compact(JsonNode node) {
        return write(node, false);
    }

    /** Indented, as {@code JsonNode.toPrettyString()}. */
    static String pretty(JsonNode node) {
        return write(node, true);
    }

    private static String write(JsonNode node, boolean pretty) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = FACTORY.createGenerator(text)) {
            if (pretty) {
                out.setPrettyPrinter(new DefaultPrettyPrinter());
            }
            write(out, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        return text.toString();
    }

    private static void write(JsonGenerator out, JsonNode node) throws IOException {
        if (node.isObject()) {
            out.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                out.writeFieldName(field.getKey());
                write(out, field.getValue());
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                write(out, element);
            }
            out.writeEndArray();
        } else if (node.isTextual()) {
            out.writeString(node.textValue());
        } else if (node.isBoolean()) {
            out.writeBoolean(node.booleanValue());
        } else if (node.isNumber()) {
            switch (node.numberType()) {
                case INT -> out.writeNumber(node.intValue());
                case LONG -> out.writeNumber(node.longValue());
                case BIG_INTEGER -> out.writeNumber(node.bigIntegerValue());
                case FLOAT -> out.writeNumber(node.floatValue());
                case BIG_DECIMAL -> out.writeNumber(node.decimalValue());
                default -> out.writeNumber(node.doubleValue());
            }
        } else if (node.isNull() || node.isMissingNode()) {
            out.writeNull();
        } else {
            out.writeString(node.asText());   // binary or POJO nodes: never in an API answer
        }
    }
}
