package com.runbook.engine.definition;

import java.util.Comparator;

/** One problem in a runbook file, printed the way compilers do: {@code file:line:column: message}. */
public record Problem(String file, int line, int column, String message) implements Comparable<Problem> {
    private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::file)
            .thenComparingInt(Problem::line).thenComparingInt(Problem::column).thenComparing(Problem::message);

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }

    @Override
    public int compareTo(Problem other) {
        return ORDER.compare(this, other);
    }
}
