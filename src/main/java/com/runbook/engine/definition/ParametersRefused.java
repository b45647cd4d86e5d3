package com.runbook.engine.definition;

import java.util.List;

/** A run refused because its parameters do not match the runbook's declaration; nothing ran. Every problem is listed. */
public class ParametersRefused extends RuntimeException {
    private final List<String> problems;

    public ParametersRefused(String job, List<String> problems) {
        super("parameters refused for " + job + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
