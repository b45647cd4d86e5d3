package com.runbook.engine.audit;

import com.runbook.engine.backup.ObjectStore;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Reply;
import com.runbook.engine.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The audit trail's doors: {@code GET /api/audit?since=&actor=&job=&action=&limit=} (entries newest first) and
 * {@code GET /api/audit/verify} (the chain recomputed; with {@code runbook.audit.anchor}, checked against the daily
 * anchors in the backup object store, which this module also writes). Entries are recorded by the modules that make
 * the changes, through {@link Parts#audit()}.
 */
public final class AuditModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(AuditModule.class);
    private final Supplier<ObjectStore> anchorStore;
    private ScheduledExecutorService anchoring;

    /** @param anchorStore where the daily anchors go (the backup object store), asked only when anchoring is on */
    public AuditModule(Supplier<ObjectStore> anchorStore) {
        this.anchorStore = anchorStore;
    }

    @Override
    public void start(Parts parts) throws Exception {
        AuditSettings settings = AuditSettings.from(parts.settings());
        AuditQuery query = new AuditQuery(parts.db(), parts.clock());
        AuditVerifier verifier = new AuditVerifier(parts.db());
        AuditAnchors anchors = settings.anchor() ? anchors(parts) : null;
        parts.doors().open(Door.read("api-audit", "/api/audit", r -> Reply.ok(query.find(AuditQuery.Filter.parse(
                r.query("since"), r.query("actor"), r.query("job"), r.query("action"), r.query("limit"),
                parts.clock())))));
        parts.doors().open(Door.read("api-audit-verify", "/api/audit/verify", r -> {
            AuditVerifier.Verdict chain = verifier.verify();
            if (anchors == null) {
                return Reply.ok(chain);
            }
            List<AuditAnchors.Anchor> anchored;
            try {
                anchored = anchors.all();
            } catch (Exception e) {
                return Reply.unavailable(Map.of("error", "cannot read the audit anchors from "
                        + anchorStore.get().describe() + ": " + e.getMessage()));
            }
            return Reply.ok(verifier.withAnchors(chain, anchored, anchors::location));
        }));
        if (anchors != null) {
            anchoring = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "runbook-audit-anchor");
                t.setDaemon(true);
                return t;
            });
            anchoring.scheduleWithFixedDelay(() -> anchor(anchors), 0, settings.anchorEvery().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private AuditAnchors anchors(Parts parts) {
        ObjectStore store = anchorStore.get();
        if (store == null) {
            throw new IllegalArgumentException(Settings.named("runbook.audit.anchor")
                    + " is true but the engine has no backup object store to write the anchors to");
        }
        LOG.info("Audit trail: each finished day's final hash is anchored in {}", store.describe());
        return new AuditAnchors(parts.db(), store, parts.clock());
    }

    private static void anchor(AuditAnchors anchors) {
        try {
            for (AuditAnchors.Anchor a : anchors.anchorFinishedDays()) {
                LOG.info("Audit trail: anchored {} (entry {}) at {}", a.day(), a.seq(), anchors.location(a.day()));
            }
        } catch (Exception e) {
            LOG.warn("Audit trail: cannot write the daily anchor (retried at the next pass): {}", e.toString());
        }
    }

    @Override
    public void stop() {
        if (anchoring != null) {
            anchoring.shutdownNow();
        }
    }
}
