package com.runbook.engine.incident;

import com.runbook.engine.settings.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the shipped application.properties without an engine: {@code {{env:NAME:default}}} is its default
 * (the test's environment is not read), {@code {{key}}} the other key's value; {@code overrides} win.
 */
public final class ShippedSettings {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)}}");

    private ShippedSettings() {
    }

    public static Settings with(Map<String, String> overrides) {
        Properties file = new Properties();
        try (InputStream in = ShippedSettings.class.getResourceAsStream("/application.properties")) {
            file.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> values = new HashMap<>();
        file.stringPropertyNames().forEach(k -> values.put(k, file.getProperty(k)));
        values.putAll(overrides);
        return Settings.of(key -> Optional.ofNullable(values.get(key)).map(v -> resolve(v, values)));
    }

    /** The priority policy of the shipped file with {@code overrides}. */
    public static PriorityPolicy policy(Map<String, String> overrides) {
        return PriorityPolicy.from(with(overrides));
    }

    private static String resolve(String value, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(value);
        while (m.find()) {
            String inner = m.group(1);
            String replacement = inner.startsWith("env:")
                    ? inner.substring(inner.indexOf(':', 4) < 0 ? inner.length() : inner.indexOf(':', 4) + 1)
                    : values.getOrDefault(inner, "");
            value = value.substring(0, m.start()) + replacement + value.substring(m.end());
            m = PLACEHOLDER.matcher(value);
        }
        return value;
    }
}
