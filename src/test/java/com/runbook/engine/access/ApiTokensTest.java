package com.runbook.engine.access;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Request;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiTokensTest {
    @Test
    void theBootstrapToken() {
        assertThatCode(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("Bearer s3cret"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer(null)))
                .hasMessage("missing bearer token (Authorization: Bearer <token>)");
        assertThatThrownBy(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("Bearer wrong"))).hasMessage("invalid bearer token");
        assertThatThrownBy(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("Basic czNjcmV0")))
                .hasMessage("missing bearer token (Authorization: Bearer <token>)");
        assertThatThrownBy(() -> new ApiTokens(() -> "").authenticate(Request.bearer("Bearer "))).hasMessage("invalid bearer token");
        // one scheme rule for the API and the webhooks: any case (RFC 9110)
        assertThatCode(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("bearer s3cret"))).doesNotThrowAnyException();
        assertThatCode(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("BEARER  s3cret "))).doesNotThrowAnyException();
        assertThatThrownBy(() -> new ApiTokens(() -> "s3cret").authenticate(Request.bearer("Bearers3cret")))
                .hasMessage("missing bearer token (Authorization: Bearer <token>)");
    }

    @Test
    void theBootstrapTokenIsTheBootstrapAdmin() {
        assertThat(new ApiTokens(() -> "s3cret").authenticate("s3cret")).isEqualTo(Actor.BOOTSTRAP);
    }
}
