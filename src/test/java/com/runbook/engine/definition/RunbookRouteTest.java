package com.runbook.engine.definition;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shipped runbook on its own, in a plain Camel context (Camel's test support, no engine, HTTP or database):
 * routes/echo-parameters.camel.yaml logs its parameters and fails on request.
 */
class RunbookRouteTest extends CamelTestSupport {

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        Path file = Path.of("routes/echo-parameters.camel.yaml").toAbsolutePath();
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(
                ResourceHelper.resolveResource(context, "file:" + file)).toArray(RoutesBuilder[]::new);
    }

    @Test
    void aRunWithParametersCompletesAndLeavesItsBodyAlone() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("echo-parameters").whenCompleted(1).whenFailed(0)
                .create();
        Exchange run = template.send("direct:echo-parameters", e -> {
            e.getIn().setBody("{\"note\":\"hello\"}");
            e.getIn().setHeaders(Map.of("note", "hello", "RunbookTrigger", "manual"));
        });
        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.getException()).isNull();
        assertThat(run.getMessage().getBody(String.class)).isEqualTo("{\"note\":\"hello\"}");
    }

    @Test
    void failTrueFailsTheRunWithItsMessage() {
        NotifyBuilder failed = new NotifyBuilder(context).fromRoute("echo-parameters").whenFailed(1).create();
        Exchange run = template.send("direct:echo-parameters", e -> e.getIn().setHeaders(Map.of("fail", "true")));
        assertThat(failed.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.getException()).isInstanceOf(IllegalStateException.class)
                .hasMessage("failing on request (fail=true)");
    }

    @Test
    void anyOtherFailValueRunsThrough() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("echo-parameters").whenCompleted(2).whenFailed(0)
                .create();
        template.send("direct:echo-parameters", e -> e.getIn().setHeader("fail", "TRUE"));
        template.send("direct:echo-parameters", e -> e.getIn().setHeader("fail", "false"));
        assertThat(done.matches(10, TimeUnit.SECONDS)).isTrue();
    }
}
