package com.runbook.engine;

import com.runbook.engine.settings.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The engine's own settings (defaults in application.properties): the data folder, the engine database, the API
 * token and the node name.
 *
 * @param h2Housekeeping how often the embedded H2 is compacted; zero when {@code off}
 * @param apiToken the configured API token; empty: one generated into the data folder
 * @param node the configured node name; empty: the one kept in the data folder
 */
record EngineSettings(Path dataDir, String dbUrl, String dbUser, String dbPassword, int dbPoolSize,
                      Duration h2Housekeeping, Optional<String> apiToken, Optional<String> node) {

    static EngineSettings from(Settings s) {
        return new EngineSettings(Path.of(s.text("runbook.data-dir")).toAbsolutePath().normalize(),
                s.text("runbook.db.url"), s.text("runbook.db.user"), s.text("runbook.db.password"),
                s.integer("runbook.db.pool-size"),
                s.text("runbook.db.h2-housekeeping").trim().equals("off") ? Duration.ZERO
                        : s.duration("runbook.db.h2-housekeeping"),
                s.optional("runbook.api.token"), s.optional("runbook.node"));
    }
}
