package com.runbook.engine.report;

import com.runbook.engine.Engine;
import com.runbook.engine.EngineProcess;
import com.runbook.engine.notify.Outbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The process {@link CommissionCrashTest} kills: starts an engine on the given base folder and settings (the same
 * databases every time), prints {@code RUNNING}, runs weekly-commission-emails, waits until the outbox has delivered
 * everything, prints {@code DONE} and exits. Arguments: base folder, settings file.
 */
public final class CommissionJobProcess {
    private CommissionJobProcess() {
    }

    public static void main(String[] args) throws Exception {
        try (Engine engine = Engine.start(Path.of(args[0]), EngineProcess.settings(Path.of(args[1])), Map.of())) {
            System.out.println("RUNNING");
            System.out.flush();
            long id = engine.runner().runNow("weekly-commission-emails", "crash-test", false);
            System.out.println("run " + engine.runs().find(id).orElseThrow().json().get("status"));
            Outbox outbox = (Outbox) engine.notifier();
            await().atMost(Duration.ofSeconds(60)).until(() -> outbox.find("status in ('pending', 'sending')").isEmpty());
            System.out.println("DONE");
            System.out.flush();
        }
        System.exit(0);
    }
}
