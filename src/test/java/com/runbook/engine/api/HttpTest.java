package com.runbook.engine.api;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

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
    void tokenChecks() {
        assertThatCode(() -> Http.requireToken(withAuthorization("Bearer s3cret"), "s3cret")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Http.requireToken(withAuthorization(null), "s3cret"))
                .hasMessage("missing bearer token (Authorization: Bearer <token>)");
        assertThatThrownBy(() -> Http.requireToken(withAuthorization("Bearer wrong"), "s3cret")).hasMessage("invalid bearer token");
        assertThatThrownBy(() -> Http.requireToken(withAuthorization("Basic czNjcmV0"), "s3cret"))
                .hasMessage("missing bearer token (Authorization: Bearer <token>)");
        assertThatThrownBy(() -> Http.requireToken(withAuthorization("Bearer "), "")).hasMessage("invalid bearer token");
    }

    @Test
    void malformedJsonNamesThePlace() {
        Exchange e = withAuthorization(null);
        e.getMessage().setBody("{\"a\": }");
        assertThatThrownBy(() -> Http.jsonObject(e)).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("malformed JSON at line 1, column 7");
        e.getMessage().setBody("[1,2]");
        assertThatThrownBy(() -> Http.jsonObject(e)).hasMessage("request body must be a JSON object");
    }
}
