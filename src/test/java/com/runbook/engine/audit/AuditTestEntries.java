package com.runbook.engine.audit;

import com.runbook.engine.core.Actor;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.Role;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;

/** Audit entries for tests of other packages (the CLI, the console): recorded through the trail, at a given time. */
public final class AuditTestEntries {
    private AuditTestEntries() {
    }

    /**
     * Records one entry in a transaction of its own on {@code db} (an engine's database), committed at {@code at}.
     *
     * @param actor {@code token:alice} (an operator), {@code schedule:x}, {@code alert:x} or {@code engine:x}
     */
    public static void record(DataSource db, String at, String action, String actor, String job, String subject) {
        String[] id = actor.split(":", 2);
        Actor who = switch (id[0]) {
            case "token" -> id[1].equals(Actor.BOOTSTRAP_NAME) ? Actor.BOOTSTRAP : Actor.token(id[1], Role.OPERATOR);
            case "schedule" -> Actor.schedule(id[1]);
            case "alert" -> Actor.alert(id[1]);
            default -> Actor.engine(id[1]);
        };
        AuditAction what = Arrays.stream(AuditAction.values()).filter(a -> a.stored().equals(action)).findFirst()
                .orElseThrow();
        new TransactionTemplate(new DataSourceTransactionManager(db)).executeWithoutResult(s ->
                new AuditTrail(db, Clock.fixed(Instant.parse(at), ZoneOffset.UTC))
                        .record(new AuditEntry(what, who, job, subject, Map.of())));
    }
}
