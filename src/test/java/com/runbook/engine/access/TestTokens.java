package com.runbook.engine.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.definition.Role;

import java.net.http.HttpResponse;

/**
 * Personal tokens for tests in any package: {@code TestTokens.create(engine, "bob", Role.VIEWER)} creates one through
 * {@code POST /api/tokens} with the bootstrap token and answers its text (send it with {@code TestEngine.get(engine,
 * path, token)} or {@code TestEngine.post(...)}).
 */
public final class TestTokens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTokens() {
    }

    /** A new token named {@code name} with {@code role}; the name must not hold an active token already. */
    public static String create(Engine engine, String name, Role role) throws Exception {
        HttpResponse<String> r = TestEngine.post(engine, "/api/tokens", TestEngine.TOKEN,
                "{\"name\": \"" + name + "\", \"role\": \"" + role.stored() + "\"}");
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/tokens answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** Revokes {@code name}'s token. */
    public static void revoke(Engine engine, String name) throws Exception {
        HttpResponse<String> r = TestEngine.post(engine, "/api/tokens/" + name + "/revoke", TestEngine.TOKEN, "");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /api/tokens/" + name + "/revoke answered " + r.statusCode() + ": "
                    + r.body());
        }
    }
}
