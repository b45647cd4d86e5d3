package com.runbook.engine.access;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.Identities;
import com.runbook.engine.core.Refused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The holders of API tokens: the bootstrap admin token (RUNBOOK_API_TOKEN or data/api-token), and the personal tokens
 * of the engine database once {@link AccessModule} started. A personal token's row is read at every request: a revoked
 * or expired token stops at once.
 */
public final class ApiTokens implements Identities {
    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    private final Supplier<String> bootstrap;
    private volatile TokenStore store;
    private volatile Clock clock = Clock.systemUTC();

    public ApiTokens(Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** From now on, personal tokens are looked up in {@code store}. */
    void use(TokenStore store, Clock clock) {
        this.clock = clock;
        this.store = store;
    }

    @Override
    public Actor authenticate(String token) {
        if (token == null) {
            throw Refused.unauthenticated("missing bearer token (Authorization: Bearer <token>)");
        }
        String expected = bootstrap.get();
        if (expected != null && !expected.isEmpty() && MessageDigest.isEqual(sha256(token), sha256(expected))) {
            return Actor.BOOTSTRAP;   // digests compared: the time taken tells nothing of the token's length either
        }
        TokenStore personal = store;
        Optional<String> id = TokenText.idOf(token);
        if (personal == null || id.isEmpty()) {
            throw invalid();
        }
        TokenStore.Row row;
        try {
            row = personal.byId(id.get()).orElseThrow(ApiTokens::invalid);
        } catch (DataAccessException e) {   // nothing done: the caller sends it again (the bootstrap token still works)
            LOG.warn("Could not look up a personal token: {}", e.getMostSpecificCause().toString());
            throw new Refused(Refused.Reason.UNAVAILABLE,
                    "cannot check the bearer token now: the engine database does not answer");
        }
        if (!personal.matches(row, token)) {
            throw invalid();
        }
        if (row.revokedAt() != null) {
            throw Refused.unauthenticated("token '" + row.name() + "' was revoked at " + row.revokedAt());
        }
        if (row.status(clock.instant()) == TokenStatus.EXPIRED) {
            throw Refused.unauthenticated("token '" + row.name() + "' expired at " + row.expiresAt());
        }
        return Actor.token(row.name(), row.role());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Refused invalid() {
        return Refused.unauthenticated("invalid bearer token");
    }
}
