package com.runbook.engine.definition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a runbook declares in its route file's {@code - parameters:} item. {@link #UNDECLARED} (no item) accepts
 * any parameters as before, unchecked; a declaration (even an empty one) accepts only what it declares.
 */
public record Parameters(boolean declared, List<Parameter> list) {
    public static final Parameters UNDECLARED = new Parameters(false, List.of());
    /** What a secret parameter's value is shown as. */
    static final String MASK = "****";
    /** Headers the engine sets itself (RunbookRunId, RunbookIncidentId, ...): never parameters. */
    static final String ENGINE_PREFIX = "Runbook";

    /** How a door treats names the declaration does not know. */
    public enum Unknown {
        /** Refused (schedule, API, CLI, console). */
        REFUSE,
        /** Passed on unchecked: alert routing hands every alert label to the runbook, declared or not. */
        PASS
    }

    /**
     * The values a run gets: each given value converted to its declared type, defaults filled in, engine headers
     * passed on. Undeclared: {@code given} as it is.
     *
     * @throws ParametersRefused listing every missing, mistyped and unknown parameter; nothing may run then
     */
    public Map<String, Object> check(String job, Map<String, ?> given, Unknown unknown) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (!declared) {
            values.putAll(given);
            return values;
        }
        List<String> problems = new ArrayList<>();
        given.forEach((name, value) -> {
            Parameter p = find(name);
            if (p == null && (name.startsWith(ENGINE_PREFIX) || unknown == Unknown.PASS)) {
                values.put(name, value);
            } else {
                problem(job, name, String.valueOf(value)).ifPresentOrElse(problems::add,
                        () -> values.put(name, p.type().convert(String.valueOf(value), p.values())));
            }
        });
        problems.addAll(missing(given.keySet()));
        for (Parameter p : list) {
            if (!given.containsKey(p.name()) && p.defaultValue() != null) {
                values.put(p.name(), p.type().convert(p.defaultValue(), p.values()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ParametersRefused(job, problems);
        }
        return values;
    }

    /** Why {@code value} is no value for parameter {@code name} of {@code job}, if it is not (a secret's value is not shown). */
    public Optional<String> problem(String job, String name, String value) {
        Parameter p = find(name);
        if (p == null) {
            return Optional.of("unknown parameter '" + name + "' (" + (list.isEmpty() ? job + " declares none"
                    : "declared: " + list.stream().map(Parameter::name).collect(Collectors.joining(", "))) + ")");
        }
        try {
            p.type().convert(value, p.values());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            String why = p.secret() ? e.getMessage().replaceAll(", not '.*'$", "") : e.getMessage();
            return Optional.of("parameter '" + name + "' must be " + why);
        }
    }

    /** A problem per required parameter that is not among {@code given}. */
    public List<String> missing(Collection<String> given) {
        return list.stream().filter(p -> p.required() && !given.contains(p.name()))
                .map(p -> "missing required parameter '" + p.name() + "' (" + p.type().id()
                        + (p.description() == null ? "" : ": " + p.description()) + ")").toList();
    }

    /**
     * The declared parameters among {@code values}, as text, secrets masked: what job_run and the API show. Nothing
     * for a runbook that declares none (its values may hold anything, secrets too).
     */
    public Map<String, String> recorded(Map<String, ?> values) {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((name, value) -> {
            Parameter p = find(name);
            if (p != null) {
                shown.put(name, p.secret() ? MASK : String.valueOf(value));
            }
        });
        return shown;
    }

    /**
     * The values of the secret parameters among {@code values}, as text (the blank ones left out), longest first: what
     * a run's log masks ({@value #MASK}) wherever it shows them.
     */
    public List<String> secretValues(Map<String, ?> values) {
        List<String> secrets = new ArrayList<>();
        values.forEach((name, value) -> {
            Parameter p = find(name);
            if (p != null && p.secret() && value != null && !String.valueOf(value).isBlank()) {
                secrets.add(String.valueOf(value));
            }
        });
        secrets.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return List.copyOf(secrets);
    }

    /** {@code text} with each of {@code secrets} (see {@link #secretValues}) replaced by {@value #MASK}. */
    public static String masked(String text, List<String> secrets) {
        String shown = text;
        for (String secret : secrets) {
            if (shown != null && shown.contains(secret)) {
                shown = shown.replace(secret, MASK);
            }
        }
        return shown;
    }

    /** The declared parameter {@code name}, or null (a declaration is short: a scan beats building a map per call). */
    private Parameter find(String name) {
        for (Parameter p : list) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
