package com.runbook.engine.definition;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

import java.util.Optional;

/** Line lookups in a file's text, for problems whose source object carries no position. */
final class SourceText {
    private SourceText() {
    }

    /** 1-based line and column of the first occurrence of {@code needle}, or line 1 column 1. */
    static int[] find(String text, String needle) {
        return find(text, needle, 1);
    }

    /** Like {@link #find(String, String)}, searching from line {@code fromLine}; not found gives that line, column 1. */
    static int[] find(String text, String needle, int fromLine) {
        int[] found = find(text, needle, fromLine, true);
        return found != null ? found : new int[] {Math.max(1, fromLine), 1};
    }

    /** 1-based column of the first non-blank character of {@code line} (1 when the line is blank or absent). */
    static int indent(String text, int line) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return 1;
        }
        String l = lines[line - 1];
        int i = 0;
        while (i < l.length() && (l.charAt(i) == ' ' || l.charAt(i) == '-' && i + 1 < l.length() && l.charAt(i + 1) == ' ')) {
            i++;
        }
        return i + 1;
    }

    /** Like {@link #find(String, String, int)}, or null when {@code needle} is not in the text after {@code fromLine}. */
    static int[] find(String text, String needle, int fromLine, boolean nullIfMissing) {
        int from = 0;
        for (int line = 1; line < fromLine && from >= 0; line++) {
            from = text.indexOf('\n', from) + 1;
            from = from == 0 ? -1 : from;
        }
        int at = needle == null || needle.isEmpty() || from < 0 ? -1 : text.indexOf(needle, from);
        if (at < 0) {
            return null;
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, at - lineStart + 1};
    }

    /** Turns a parse failure into a problem, using the YAML mark when the cause chain has one. */
    static Problem problem(String file, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException marked) {
                Optional<Mark> mark = marked.getProblemMark().or(marked::getContextMark);
                String message = marked.getProblem() != null ? marked.getProblem() : marked.getMessage();
                if (marked.getContext() != null && marked.getProblem() != null) {
                    message = marked.getContext() + ": " + marked.getProblem();
                }
                int line = mark.map(m -> m.getLine() + 1).orElse(1);
                int column = mark.map(m -> m.getColumn() + 1).orElse(1);
                return new Problem(file, line, column, clean(message));
            }
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Problem(file, 1, 1, clean(root.getMessage() == null ? root.toString() : root.getMessage()));
    }

    private static String clean(String message) {
        String m = message.replaceAll("\\s+", " ").trim();
        if (m.startsWith("Unknown node id: ")) {
            m = "Unsupported field: " + m.substring("Unknown node id: ".length());
        }
        return m.startsWith("Unsupported field: ") ? "unknown DSL key '" + m.substring("Unsupported field: ".length())
                + "' (see the Camel YAML DSL reference for the keys this step takes)" : m;
    }
}
