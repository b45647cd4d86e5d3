package com.runbook.engine.definition;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParametersTest {
    private static final String ROUTE = """
            - route:
                id: job-a
                from:
                  uri: direct:job-a
                  steps:
                    - log: "x"
            """;

    private static Parameters declare(String block) {
        ParameterBlock b = ParameterBlock.of(block + ROUTE);
        assertThat(b.problems("routes/job-a.camel.yaml")).isEmpty();
        return b.parameters();
    }

    private static final String EVERY_TYPE = """
            - parameters:
                - name: desk
                  type: enum
                  values: [rates, fx]
                  required: true
                  description: the desk
                - name: top
                  type: integer
                  default: 10
                - name: ratio
                  type: decimal
                - name: dry
                  type: boolean
                - name: day
                  type: date
                - name: wait
                  type: duration
                - name: note
                - name: password
                  secret: true
            """;

    @Test
    void valuesAreConvertedToTheirTypeAndDefaultsFilledIn() {
        Map<String, Object> v = declare(EVERY_TYPE).check("job-a", Map.of("desk", "fx", "ratio", "1.5", "dry", "true",
                "day", "2026-12-07", "wait", "5m", "note", "hi"), Parameters.Unknown.REFUSE);
        assertThat(v).containsEntry("desk", "fx").containsEntry("top", 10L).containsEntry("ratio", new BigDecimal("1.5"))
                .containsEntry("dry", true).containsEntry("day", LocalDate.of(2026, 12, 7))
                .containsEntry("wait", Duration.ofMinutes(5)).containsEntry("note", "hi").doesNotContainKey("password");
    }

    @Test
    void everyProblemIsListedAndASecretsValueIsNeverShown() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("top", "ten");
        given.put("dry", "yes");
        given.put("day", "07/12/2026");
        given.put("wait", "5 minutes");
        given.put("colour", "red");
        given.put("password", "hunter2");   // a string: fine
        given.put("RunbookIncidentId", 7L);   // the engine's own header: not a parameter
        assertThatThrownBy(() -> declare(EVERY_TYPE).check("job-a", given, Parameters.Unknown.REFUSE))
                .isInstanceOfSatisfying(ParametersRefused.class, e -> assertThat(e.problems()).containsExactly(
                        "parameter 'top' must be an integer, not 'ten'",
                        "parameter 'dry' must be true or false, not 'yes'",
                        "parameter 'day' must be a date (yyyy-mm-dd), not '07/12/2026'",
                        "parameter 'wait' must be a duration (e.g. 500ms, 15s, 5m, 2h, 1d), not '5 minutes'",
                        "unknown parameter 'colour' (declared: desk, top, ratio, dry, day, wait, note, password)",
                        "missing required parameter 'desk' (enum: the desk)"));
        Parameters secretInt = declare("- parameters:\n    - name: pin\n      type: integer\n      secret: true\n");
        assertThatThrownBy(() -> secretInt.check("job-a", Map.of("pin", "12x4"), Parameters.Unknown.REFUSE))
                .hasMessage("parameters refused for job-a: parameter 'pin' must be an integer");
        assertThat(secretInt.recorded(Map.of("pin", 1234L, "other", "x"))).containsExactly(Map.entry("pin", Parameters.MASK));
    }

    @Test
    void anEnumTakesOnlyItsValues() {
        assertThatThrownBy(() -> declare(EVERY_TYPE).check("job-a", Map.of("desk", "bonds"), Parameters.Unknown.REFUSE))
                .hasMessage("parameters refused for job-a: parameter 'desk' must be one of rates | fx, not 'bonds'");
    }

    @Test
    void alertRoutingPassesUndeclaredLabelsOnButChecksDeclaredOnes() {
        Parameters p = declare(EVERY_TYPE);
        assertThat(p.check("job-a", Map.of("desk", "fx", "alertname", "RegionDown"), Parameters.Unknown.PASS))
                .containsEntry("alertname", "RegionDown");
        assertThatThrownBy(() -> p.check("job-a", Map.of("alertname", "RegionDown"), Parameters.Unknown.PASS))
                .hasMessage("parameters refused for job-a: missing required parameter 'desk' (enum: the desk)");
    }

    @Test
    void aRunbookThatDeclaresNothingTakesAnything() {
        Parameters none = ParameterBlock.of(ROUTE).parameters();
        assertThat(none.declared()).isFalse();
        assertThat(none.check("job-a", Map.of("note", "x"), Parameters.Unknown.REFUSE)).containsEntry("note", "x");
        assertThat(none.recorded(Map.of("note", "x"))).isEmpty();
        Parameters empty = declare("- parameters:\n");
        assertThatThrownBy(() -> empty.check("job-a", Map.of("note", "x"), Parameters.Unknown.REFUSE))
                .hasMessage("parameters refused for job-a: unknown parameter 'note' (job-a declares none)");
    }

    @Test
    void camelGetsTheFileWithTheBlockBlankedOnTheSameLines() {
        String text = EVERY_TYPE + ROUTE;
        String routes = ParameterBlock.of(text).routesText(text);
        assertThat(routes.split("\n", -1)).hasSameSizeAs(text.split("\n", -1));
        assertThat(routes).doesNotContain("parameters").startsWith("\n".repeat(EVERY_TYPE.split("\n").length) + "- route:");
    }

    @Test
    void everyProblemOfTheBlockHasLineAndColumn() {
        List<Problem> problems = ParameterBlock.of("""
                - parameters:
                    - name: top
                      type: int
                    - name: desk
                      type: enum
                    - name: day
                      type: date
                      default: tomorrow
                    - name: RunbookX
                    - name: top
                      colour: red
                    - name: key
                      secret: true
                      default: abc
                    - name: when
                      type: string
                      values: [a]
                      required: maybe
                """ + ROUTE).problems("routes/job-a.camel.yaml");
        assertThat(problems).extracting(Problem::toString).containsExactly(
                "routes/job-a.camel.yaml:3:13: unknown type 'int' (expected one of: string, integer, decimal, boolean, date, duration, enum)",
                "routes/job-a.camel.yaml:4:7: an enum parameter needs 'values': a list of the allowed values",
                "routes/job-a.camel.yaml:8:16: default must be a date (yyyy-mm-dd), not 'tomorrow'",
                "routes/job-a.camel.yaml:9:13: parameter name 'RunbookX' must be letters, digits and _, start with a letter,"
                        + " and not start with 'Runbook' (the engine's own headers)",
                "routes/job-a.camel.yaml:11:7: unknown key 'colour' (expected one of: name, type, values, required, default,"
                        + " description, secret)",
                "routes/job-a.camel.yaml:14:16: a secret has no default in a route file (pass it when the run starts)",
                "routes/job-a.camel.yaml:17:15: 'values' is for type enum only",
                "routes/job-a.camel.yaml:18:17: 'required' must be true or false, not 'maybe'");
    }
}
