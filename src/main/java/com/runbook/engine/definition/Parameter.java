package com.runbook.engine.definition;

import java.util.List;

/**
 * One declared parameter of a runbook.
 *
 * @param values       the allowed values of an {@code enum} (empty for other types)
 * @param defaultValue the value a run gets when none is given (null: none), as written in the route file
 * @param secret       never recorded in job_run, logs or the API (shown as {@value Parameters#MASK})
 */
record Parameter(String name, ParamType type, List<String> values, boolean required, String defaultValue,
                        String description, boolean secret) {
}
