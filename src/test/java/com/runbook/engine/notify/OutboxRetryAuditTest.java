package com.runbook.engine.notify;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.definition.Role;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A dead page sent again records its page.retried entry with the change, on behalf of the caller; a refusal records none. */
@Tag("db")
class OutboxRetryAuditTest {
    HikariDataSource ds;
    Outbox outbox;
    final RecordingAudit audit = new RecordingAudit();

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        outbox = new Outbox(ds);
    }

    @AfterEach
    void tearDown() {
        ds.close();
    }

    @Test
    void aRetriedPageRecordsItsEntryAndARefusedRetryNone() {
        long id = outbox.enqueue("telegram", "42", "[P1] down", "secret body", "tg-1", Map.of());
        new JdbcTemplate(ds).update("update notification set status = 'dead', last_error = 'HTTP 502' where id = ?", id);
        Actor carol = Actor.token("carol", Role.OPERATOR);

        outbox.retry(id, carol, audit);

        assertThat(new JdbcTemplate(ds).queryForObject("select status from notification where id = ?", String.class, id))
                .isEqualTo("pending");
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.PAGE_RETRIED);
            assertThat(e.actor()).isEqualTo(carol);
            assertThat(e.subject()).isEqualTo("notification " + id);
            assertThat(e.detail()).containsEntry("notificationId", id).containsEntry("channel", "telegram")
                    .containsEntry("recipient", "42").containsEntry("subject", "[P1] down").containsEntry("key", "tg-1")
                    .containsEntry("lastError", "HTTP 502").doesNotContainValue("secret body");
        });
        assertThatThrownBy(() -> outbox.retry(id, carol, audit)).hasMessage("notification " + id + " is pending, not dead");
        assertThatThrownBy(() -> outbox.retry(id + 1, carol, audit)).hasMessage("no notification with id " + (id + 1));
        assertThat(audit.committed).hasSize(1);
    }
}
