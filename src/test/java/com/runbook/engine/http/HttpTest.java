package com.runbook.engine.http;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpTest {
    private static Exchange withAuthorization(String value) {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        if (value != null) {
            e.getMessage().setHeader("Authorization", value);
        }
        return e;
    }

    @Test
    void theBearerSchemeInAnyCase() {
        assertThat(com.runbook.engine.core.Request.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(com.runbook.engine.core.Request.bearer("bearer abc")).isEqualTo("abc");
        assertThat(com.runbook.engine.core.Request.bearer("bEaReR\tabc ")).isEqualTo("abc");
        assertThat(com.runbook.engine.core.Request.bearer("Bearer")).isEmpty();
        assertThat(com.runbook.engine.core.Request.bearer("Bearerabc")).isNull();
        assertThat(com.runbook.engine.core.Request.bearer("Basic abc")).isNull();
        assertThat(com.runbook.engine.core.Request.bearer(null)).isNull();
    }

    @Test
    void jsonDeeperThan64LevelsOrWithDataAfterTheDocumentIsRefused() {
        Exchange e = withAuthorization(null);
        e.getMessage().setBody("{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}");
        assertThatThrownBy(() -> Http.jsonBody(e))
                .hasMessage("malformed JSON: Document nesting depth (65) exceeds the maximum allowed (64)");
        e.getMessage().setBody("{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}");
        assertThatCode(() -> Http.jsonBody(e)).doesNotThrowAnyException();
        e.getMessage().setBody("{\"a\": 1} {}");
        assertThatThrownBy(() -> Http.jsonBody(e)).hasMessageStartingWith("malformed JSON at line 1, column 10: Trailing token");
    }

    @Test
    void aRefusalBecomesItsStatusHereOnly() {
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.INVALID)).isEqualTo(400);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.UNAUTHENTICATED)).isEqualTo(401);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.FORBIDDEN)).isEqualTo(403);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.NOT_FOUND)).isEqualTo(404);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.CONFLICT)).isEqualTo(409);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.UNPROCESSABLE)).isEqualTo(422);
        assertThat(Http.status(com.runbook.engine.core.Refused.Reason.UNAVAILABLE)).isEqualTo(503);
        assertThat(Http.status(com.runbook.engine.core.Reply.Outcome.OK)).isEqualTo(200);
        assertThat(Http.status(com.runbook.engine.core.Reply.Outcome.CREATED)).isEqualTo(201);
        assertThat(Http.status(com.runbook.engine.core.Reply.Outcome.ACCEPTED)).isEqualTo(202);
        assertThat(Http.status(com.runbook.engine.core.Reply.Outcome.FAILED)).isEqualTo(502);
        assertThat(Http.status(com.runbook.engine.core.Reply.Outcome.UNAVAILABLE)).isEqualTo(503);
    }

    @Test
    void malformedJsonNamesThePlace() {
        Exchange e = withAuthorization(null);
        e.getMessage().setBody("{\"a\": }");
        assertThatThrownBy(() -> Http.jsonBody(e)).isInstanceOf(com.runbook.engine.core.Refused.class)
                .extracting(t -> ((com.runbook.engine.core.Refused) t).reason())
                .isEqualTo(com.runbook.engine.core.Refused.Reason.INVALID);
        assertThatThrownBy(() -> Http.jsonBody(e))
                .hasMessageStartingWith("malformed JSON at line 1, column 7");
        e.getMessage().setBody("[1,2]");
        assertThatThrownBy(() -> Http.jsonBody(e)).hasMessage("request body must be a JSON object");
    }

    /** Answers {@code handler} as a door would, with the token {@code t} required, and returns the exchange. */
    private static Exchange answered(String authorization, com.runbook.engine.core.Door.Handler handler) {
        Exchange e = withAuthorization(authorization);
        Http.respond(e, new com.runbook.engine.core.Door("x", com.runbook.engine.core.Door.Method.POST, "/x",
                com.runbook.engine.core.Door.Access.OPERATOR, handler), new com.runbook.engine.access.ApiTokens(() -> "t"));
        return e;
    }

    @Test
    void aDoorsReplyOrRefusalBecomesItsResponse() {
        Exchange ok = answered("Bearer t", r -> com.runbook.engine.core.Reply.accepted(java.util.Map.of("runId", 7)));
        assertThat(ok.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(202);
        assertThat(ok.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(ok.getMessage().getBody(String.class)).isEqualTo("{\"runId\":7}");

        Exchange noToken = answered(null, r -> com.runbook.engine.core.Reply.ok("never"));
        assertThat(noToken.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(401);
        assertThat(noToken.getMessage().getBody(String.class))
                .isEqualTo("{\"error\":\"missing bearer token (Authorization: Bearer <token>)\"}");

        Exchange busy = answered("Bearer t", r -> {
            throw new com.runbook.engine.core.Refused(com.runbook.engine.core.Refused.Reason.UNAVAILABLE, "reloading");
        });
        assertThat(busy.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(busy.getMessage().getHeader("Retry-After")).isEqualTo("5");

        Exchange down = answered("Bearer t", r -> com.runbook.engine.core.Reply.unavailable(java.util.Map.of()));
        assertThat(down.getMessage().getHeader("Retry-After")).isEqualTo("5");

        Exchange params = answered("Bearer t", r -> {
            throw new com.runbook.engine.definition.ParametersRefused("job", java.util.List.of("a: required", "b: unknown"));
        });
        assertThat(params.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        assertThat(params.getMessage().getBody(String.class)).contains("\"problems\":[\"a: required\",\"b: unknown\"]");

        Exchange text = answered("Bearer t", r -> com.runbook.engine.core.Reply.ok("# metrics"));
        assertThat(text.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.getMessage().getBody(String.class)).isEqualTo("# metrics");

        Exchange form = withAuthorization("Bearer t");
        form.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8");
        Http.respond(form, new com.runbook.engine.core.Door("x", com.runbook.engine.core.Door.Method.POST, "/x",
                com.runbook.engine.core.Door.Access.OPERATOR, r -> com.runbook.engine.core.Reply.ok(r.json())),
                new com.runbook.engine.access.ApiTokens(() -> "t"));
        assertThat(form.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(415);
        assertThat(form.getMessage().getBody(String.class)).isEqualTo("{\"error\":\"the body must be JSON sent with"
                + " Content-Type: application/json (curl: -H 'Content-Type: application/json'), not"
                + " application/x-www-form-urlencoded\"}");
    }
}
