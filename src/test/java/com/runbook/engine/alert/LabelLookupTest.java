package com.runbook.engine.alert;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.builder.ExchangeBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LabelLookupTest {
    private static final Map<String, String> LABELS = Map.of("alertname", "RegionDown", "severity", "critical",
            "job", "api-1", "dash-name", "x");

    /** Every form alert-routing may use gives what Camel's own bean language gives, fast path or not. */
    @Test
    void answersAsCamelsOwnBeanLanguage() throws Exception {
        try (CamelContext camel = new DefaultCamelContext(); CamelContext fast = new DefaultCamelContext()) {
            LabelLookup.install(fast);
            camel.start();
            fast.start();
            Map<String, String> nulls = new HashMap<>(LABELS);
            nulls.put("empty", null);
            for (Object body : List.of(LABELS, nulls)) {
                for (String expression : List.of("${body[alertname]}", "${body['severity']}", "${body[\"job\"]}",
                        "${body[ alertname ]}", "${body[missing]}", "${body[dash-name]}", "${body[empty]}",
                        "${body[alertname].toLowerCase()}", "${body[job]} == 'api-1'",
                        "${body[alertname]} in 'ServiceDown,RegionDown'", "${body[alertname]} == 'RegionDown' && ${body[job]} == 'x'",
                        "${body.size()}", "${body[alertname]} contains 'Region'")) {
                    assertThat(evaluate(fast, expression, body)).as(expression).isEqualTo(evaluate(camel, expression, body));
                }
            }
            assertThat(LabelLookup.installed(fast)).isTrue();
            assertThat(LabelLookup.installed(camel)).isFalse();
        }
    }

    @Test
    void takesOnlyAPlainKeyInBrackets() {
        assertThat(LabelLookup.plainIndex("[alertname]")).isEqualTo("alertname");
        assertThat(LabelLookup.plainIndex("[ alertname ]")).isEqualTo("alertname");
        assertThat(LabelLookup.plainIndex("['alert name']")).isEqualTo("alert name");
        assertThat(LabelLookup.plainIndex("[\"job\"]")).isEqualTo("job");
        assertThat(LabelLookup.plainIndex("[alertname].toLowerCase()")).isNull();
        assertThat(LabelLookup.plainIndex("[${header.x}]")).isNull();
        assertThat(LabelLookup.plainIndex("['alertname]")).isNull();
        assertThat(LabelLookup.plainIndex("size()")).isNull();
        assertThat(LabelLookup.plainIndex(null)).isNull();
        // asked again (every alert asks): the same answers, from the cache
        assertThat(LabelLookup.plainIndex("[ alertname ]")).isEqualTo("alertname");
        assertThat(LabelLookup.plainIndex("[alertname].toLowerCase()")).isNull();
    }

    /** A map body and a plain key: the lookup itself, no bean expression built. */
    @Test
    void aMapBodyWithAPlainKeyIsAnEntryLookup() throws Exception {
        try (CamelContext fast = new DefaultCamelContext()) {
            LabelLookup.install(fast);
            fast.start();
            Expression e = fast.resolveLanguage("bean").createExpression(null, new Object[] {null, LABELS, "[job]"});
            assertThat(e).isInstanceOf(LabelLookup.Entry.class);
            assertThat(e.evaluate(ExchangeBuilder.anExchange(fast).build(), String.class)).isEqualTo("api-1");
            assertThat(fast.resolveLanguage("bean").createExpression(null, new Object[] {null, "not a map", "[job]"}))
                    .isNotInstanceOf(LabelLookup.Entry.class);
        }
    }

    private static Object evaluate(CamelContext context, String expression, Object body) {
        Exchange exchange = ExchangeBuilder.anExchange(context).withBody(body).build();
        Expression e = context.resolveLanguage("simple").createExpression(expression);
        e.init(context);
        try {
            return e.evaluate(exchange, Object.class);
        } catch (RuntimeException failed) {
            return failed.getClass().getName();
        }
    }
}
