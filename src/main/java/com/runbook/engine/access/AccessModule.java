package com.runbook.engine.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import com.runbook.engine.definition.Durations;
import com.runbook.engine.definition.Role;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Personal API tokens: the token store in the engine database behind {@link ApiTokens}, and its doors.
 * {@code GET /api/auth} (any token: who am I), and for admins {@code POST /api/tokens} (create; the only time a token
 * is shown), {@code GET /api/tokens} (list, never a token or hash), {@code POST /api/tokens/{name}/revoke}.
 */
public final class AccessModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(AccessModule.class);
    private static final Set<String> CREATE_FIELDS = Set.of("name", "role", "expires");

    private final ApiTokens identities;
    private TokenStore store;

    public AccessModule(ApiTokens identities) {
        this.identities = identities;
    }

    @Override
    public void start(Parts parts) throws Exception {
        AccessSettings settings = AccessSettings.from(parts.settings());
        store = new TokenStore(parts.db(), new TokenText(TokenKey.resolve(settings.tokenKey(), parts.dataDir())),
                parts.audit(), parts.clock());
        identities.use(store, parts.clock());
        parts.doors().open(Door.read("api-auth", "/api/auth", r -> Reply.ok(whoAmI(r.caller()))));
        parts.doors().open(Door.admin("api-tokens-create", "/api/tokens", r -> Reply.created(create(r))));
        parts.doors().open(new Door("api-tokens", Door.Method.GET, "/api/tokens", Door.Access.ADMIN,
                r -> Reply.ok(store.list())));
        parts.doors().open(Door.admin("api-tokens-revoke", "/api/tokens/{name}/revoke", r -> {
            String name = r.path("name");
            Map<String, Object> revoked = new LinkedHashMap<>();
            revoked.put("name", name);
            revoked.put("revokedAt", store.revoke(name, r.caller()).toString());
            LOG.info("Token '{}' revoked by {}", name, r.caller().id());
            return Reply.ok(revoked);
        }));
    }

    /** {@code GET /api/auth}: the caller's actor id, name and role. */
    static Map<String, Object> whoAmI(Actor caller) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("authenticated", true);
        body.put("actor", caller.id());
        body.put("name", caller.name());
        body.put("role", caller.role() == null ? null : caller.role().stored());
        return body;
    }

    /** {@code POST /api/tokens {"name", "role", "expires"}}. */
    TokenStore.Created create(Request request) {
        JsonNode body = request.json();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!CREATE_FIELDS.contains(field)) {
                throw Refused.invalid("unknown field '" + field + "' (a token has name, role and expires)");
            }
        }
        String name = text(body, "name");
        if (name == null) {
            throw Refused.invalid("name is required (e.g. {\"name\": \"alice\", \"role\": \"operator\"})");
        }
        String roleText = text(body, "role");
        if (roleText == null) {
            throw Refused.invalid("role is required: viewer, operator or admin");
        }
        Role role = Role.parse(roleText).orElseThrow(() ->
                Refused.invalid("role must be viewer, operator or admin, not '" + roleText + "'"));
        TokenStore.Created created = store.create(name, role, expires(text(body, "expires")), request.caller());
        LOG.info("Token '{}' ({}) created by {}{}", name, role.stored(), request.caller().id(),
                created.expiresAt() == null ? "" : ", expires " + created.expiresAt());
        return created;
    }

    /** How long a new token lasts: {@code 90d}, {@code 12h}; empty (never) when absent or {@code never}. */
    static Optional<Duration> expires(String text) {
        if (text == null || text.equals("never")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parse(text));
        } catch (IllegalArgumentException e) {
            throw Refused.invalid("expires: " + e.getMessage() + ", or never");
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Refused.invalid(field + " must be a string");
        }
        return value.asText();
    }
}
