package com.runbook.engine.settings;

import org.apache.camel.CamelContext;

import java.util.function.Function;
import java.util.Optional;

/**
 * The engine's settings, read through Camel's properties (application.properties, then environment and overrides).
 */
public final class Settings {
    private final Function<String, Optional<String>> resolve;

    private Settings(Function<String, Optional<String>> resolve) {
        this.resolve = resolve;
    }

    public static Settings of(CamelContext camel) {
        return new Settings(key -> camel.getPropertiesComponent().resolveProperty(key)
                .map(camel::resolvePropertyPlaceholders));
    }

    /** The value of {@code key}, or {@code dflt} when it is not set. */
    public String get(String key, String dflt) {
        return resolve.apply(key).orElse(dflt);
    }
}
