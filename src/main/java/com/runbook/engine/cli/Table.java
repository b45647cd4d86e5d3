package com.runbook.engine.cli;

import picocli.CommandLine.Help.Ansi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An aligned text table. Padding is computed on the plain text, then colour is added when {@code ansi} is on (a
 * terminal), so columns line up either way.
 */
class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Function<String, String>> styles = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
        for (int i = 0; i < headers.length; i++) {
            styles.add(null);
        }
    }

    /** Picocli markup style (e.g. {@code "fg(green)"}) chosen per cell value for column {@code column}. */
    Table style(int column, Function<String, String> style) {
        styles.set(column, style);
        return this;
    }

    Table row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell == null ? "-" : cell.toString());
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String render(Ansi ansi) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width, ansi, true);
        for (List<String> row : rows) {
            line(out, row, width, ansi, false);
        }
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] width, Ansi ansi, boolean header) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String text = cells.get(i);
            String padded = i == cells.size() - 1 ? text : text + " ".repeat(width[i] - text.length() + 2);
            String style = header ? "bold" : styles.get(i) == null ? null : styles.get(i).apply(text);
            line.append(style == null || ansi == Ansi.OFF ? padded
                    : ansi.string("@|" + style + " " + escape(text) + "|@") + padded.substring(text.length()));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String escape(String text) {
        return text.replace("|@", "| @");
    }

    /** The usual colour of a run or incident status. */
    static String statusStyle(String status) {
        return switch (status) {
            case "succeeded", "resolved", "open window", "ok" -> "fg(green)";
            case "failed", "open" -> "fg(red),bold";
            case "running", "acknowledged" -> "fg(yellow)";
            case "rehearsed" -> "fg(cyan)";
            case "skipped" -> "faint";
            default -> null;
        };
    }
}
