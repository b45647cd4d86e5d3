package com.runbook.engine.access;

import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.core.Refused;
import com.runbook.engine.definition.Role;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token store on a real engine database, with a clock the test moves: expiry, and the audit entries it records. */
@org.junit.jupiter.api.Tag("db")
class TokenStoreTest {
    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-03-01T09:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    /** The entries recorded, and whether a transaction was active when each was. */
    private final List<AuditEntry> recorded = new CopyOnWriteArrayList<>();
    private final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();
    private HikariDataSource db;
    private TokenStore store;
    private ApiTokens tokens;

    @BeforeEach
    void open() throws Exception {
        db = TestEngine.database();
        store = new TokenStore(db, new TokenText("k".repeat(32).getBytes()), entry -> {
            recorded.add(entry);
            inTransaction.add(TransactionSynchronizationManager.isActualTransactionActive());
        }, clock);
        tokens = new ApiTokens(() -> "bootstrap-secret");
        tokens.use(store, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anExpiredTokenStopsAtItsExpiry() {
        String token = store.create("ann", Role.OPERATOR, Optional.of(Duration.ofDays(90)), Actor.BOOTSTRAP).token();
        assertThat(tokens.authenticate(token)).isEqualTo(Actor.token("ann", Role.OPERATOR));
        clock.now = clock.now.plus(Duration.ofDays(90)).minusMillis(1);
        assertThat(tokens.authenticate(token)).isEqualTo(Actor.token("ann", Role.OPERATOR));
        clock.now = clock.now.plusMillis(1);
        assertThatThrownBy(() -> tokens.authenticate(token)).isInstanceOf(Refused.class)
                .hasMessage("token 'ann' expired at 2026-05-30T09:00:00Z")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.UNAUTHENTICATED);
        assertThat(store.list()).singleElement().extracting(TokenStore.Listed::status).isEqualTo("expired");
        // an expired name gets a new token
        String renewed = store.create("ann", Role.OPERATOR, Optional.empty(), Actor.BOOTSTRAP).token();
        assertThat(tokens.authenticate(renewed).id()).isEqualTo("token:ann");
        assertThatThrownBy(() -> tokens.authenticate(token)).hasMessage("invalid bearer token");
    }

    @Test
    void aRevokedTokenSaysWhen() {
        String token = store.create("bob", Role.VIEWER, Optional.empty(), Actor.BOOTSTRAP).token();
        clock.now = clock.now.plusSeconds(60);
        assertThat(store.revoke("bob", Actor.token("root", Role.ADMIN))).isEqualTo(Instant.parse("2026-03-01T09:01:00Z"));
        assertThatThrownBy(() -> tokens.authenticate(token)).hasMessage("token 'bob' was revoked at 2026-03-01T09:01:00Z");
        assertThat(store.list()).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo("revoked");
            assertThat(t.revokedAt()).isEqualTo("2026-03-01T09:01:00Z");
        });
    }

    @Test
    void creationAndRevocationAreAuditedInTheirTransactionWithoutTheSecret() {
        String token = store.create("cy", Role.ADMIN, Optional.of(Duration.ofHours(12)), Actor.BOOTSTRAP).token();
        store.revoke("cy", Actor.token("ops", Role.ADMIN));
        assertThat(recorded).extracting(AuditEntry::action, e -> e.actor().id(), AuditEntry::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(AuditAction.TOKEN_CREATED, "token:bootstrap", "token cy"),
                        org.assertj.core.groups.Tuple.tuple(AuditAction.TOKEN_REVOKED, "token:ops", "token cy"));
        assertThat(recorded.get(0).detail()).containsEntry("role", "admin")
                .containsEntry("expiresAt", "2026-03-01T21:00:00Z");
        assertThat(inTransaction).containsExactly(true, true);
        assertThat(recorded.toString()).doesNotContain(token).doesNotContain(token.substring(21));
    }

    @Test
    void aRefusedChangeRecordsNothing() {
        store.create("dee", Role.ADMIN, Optional.empty(), Actor.BOOTSTRAP);
        recorded.clear();
        assertThatThrownBy(() -> store.create("dee", Role.ADMIN, Optional.empty(), Actor.BOOTSTRAP))
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.CONFLICT);
        assertThatThrownBy(() -> store.revoke("nobody", Actor.BOOTSTRAP))
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.NOT_FOUND);
        assertThat(recorded).isEmpty();
    }

    @Test
    void theTokenKeyMatters() {
        String token = store.create("eli", Role.ADMIN, Optional.empty(), Actor.BOOTSTRAP).token();
        ApiTokens otherKey = new ApiTokens(() -> "bootstrap-secret");
        otherKey.use(new TokenStore(db, new TokenText("x".repeat(32).getBytes()), e -> { }, clock), clock);
        assertThatThrownBy(() -> otherKey.authenticate(token)).hasMessage("invalid bearer token");
        assertThat(tokens.authenticate("bootstrap-secret")).isEqualTo(Actor.BOOTSTRAP);
    }

    @Test
    void aDatabaseThatDoesNotAnswerIsA503AndTheBootstrapTokenStillWorks() {
        String token = store.create("fin", Role.ADMIN, Optional.empty(), Actor.BOOTSTRAP).token();
        db.close();
        assertThatThrownBy(() -> tokens.authenticate(token)).isInstanceOf(Refused.class)
                .hasMessage("cannot check the bearer token now: the engine database does not answer")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.UNAVAILABLE);
        assertThat(tokens.authenticate("bootstrap-secret")).isEqualTo(Actor.BOOTSTRAP);
    }

    @Test
    void aConfiguredKeyIsLongEnough(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThatThrownBy(() -> TokenKey.resolve(Optional.of("short"), dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runbook.api.token-key (env RUNBOOK_API_TOKEN_KEY) must be at least 32 characters"
                        + " (e.g. the output of: openssl rand -hex 32)");
        byte[] generated = TokenKey.resolve(Optional.empty(), dir);
        assertThat(TokenKey.resolve(Optional.empty(), dir)).isEqualTo(generated).hasSize(64);
        assertThat(TokenKey.resolve(Optional.of("c".repeat(32)), dir)).isEqualTo("c".repeat(32).getBytes());
        assertThat(dir.toFile().list()).containsExactly(TokenKey.FILE);   // no temporary file left
        java.nio.file.Files.writeString(dir.resolve(TokenKey.FILE), "\n");
        assertThatThrownBy(() -> TokenKey.resolve(Optional.empty(), dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir.resolve(TokenKey.FILE) + " holds no token key (at least 32 characters): restore it from"
                        + " a backup, or delete it to have a new one generated (every personal token then stops working)");
    }
}
