package com.runbook.engine.access;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Identities;
import com.runbook.engine.core.Refused;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/** The holders of API tokens: the bootstrap admin token (RUNBOOK_API_TOKEN or data/api-token). */
public final class ApiTokens implements Identities {
    private final Supplier<String> bootstrap;

    public ApiTokens(Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public Actor authenticate(String token) {
        if (token == null) {
            throw Refused.unauthenticated("missing bearer token (Authorization: Bearer <token>)");
        }
        String expected = bootstrap.get();
        if (expected != null && !expected.isEmpty() && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            return Actor.BOOTSTRAP;
        }
        throw Refused.unauthenticated("invalid bearer token");
    }
}
