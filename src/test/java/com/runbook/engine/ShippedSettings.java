package com.runbook.engine;

import com.runbook.engine.settings.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped settings (src/main/resources/application.properties, each {@code {{env:NAME:default}}} at its default,
 * never the environment) with {@code overrides} on top: what a feature reads in an engine started with those
 * overrides, for unit tests of settings records without an engine.
 */
public final class ShippedSettings {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)}}");

    private ShippedSettings() {
    }

    public static Settings with(Map<String, String> overrides) {
        Properties shipped = new Properties();
        try (InputStream in = ShippedSettings.class.getResourceAsStream("/application.properties")) {
            shipped.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> all = new HashMap<>();
        shipped.stringPropertyNames().forEach(k -> all.put(k, shipped.getProperty(k)));
        all.putAll(overrides);
        return Settings.of(key -> Optional.ofNullable(all.get(key)).map(v -> resolve(v, all)));
    }

    private static String resolve(String value, Map<String, String> all) {
        String v = value;
        for (Matcher m = PLACEHOLDER.matcher(v); m.find(); m = PLACEHOLDER.matcher(v)) {
            String inner = m.group(1);
            String replacement = inner.startsWith("env:") ? inner.split(":", 3).length == 3 ? inner.split(":", 3)[2] : ""
                    : all.getOrDefault(inner, "");
            v = v.substring(0, m.start()) + replacement + v.substring(m.end());
        }
        return v;
    }
}
