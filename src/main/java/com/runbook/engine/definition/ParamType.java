package com.runbook.engine.definition;


import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The type of a declared parameter; every value arrives as text (JSON, form field, CLI, schedule file, alert label). */
enum ParamType {
    STRING, INTEGER, DECIMAL, BOOLEAN, DATE, DURATION, ENUM;

    /** Every type's name, as written in a route file. */
    static final String NAMES = Arrays.stream(values()).map(ParamType::id).collect(Collectors.joining(", "));

    /** The name as written in a route file: {@code integer}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<ParamType> of(String id) {
        return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
    }

    /**
     * The value of {@code text} as the route sees it (String, Long, BigDecimal, Boolean, LocalDate, Duration).
     *
     * @throws IllegalArgumentException with the expected form, when the text is not of this type
     */
    Object convert(String text, List<String> allowed) {
        try {
            return switch (this) {
                case STRING -> text;
                case INTEGER -> Long.valueOf(text.trim());
                case DECIMAL -> new BigDecimal(text.trim());
                case BOOLEAN -> switch (text.trim()) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException();
                };
                case DATE -> LocalDate.parse(text.trim());
                case DURATION -> Durations.parse(text);
                case ENUM -> {
                    if (!allowed.contains(text)) {
                        throw new IllegalArgumentException();
                    }
                    yield text;
                }
            };
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(expected(allowed) + ", not '" + text + "'");
        }
    }

    private String expected(List<String> allowed) {
        return switch (this) {
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case DECIMAL -> "a decimal number";
            case BOOLEAN -> "true or false";
            case DATE -> "a date (yyyy-mm-dd)";
            case DURATION -> "a duration (e.g. 500ms, 15s, 5m, 2h, 1d)";
            case ENUM -> "one of " + String.join(" | ", allowed);
        };
    }
}
