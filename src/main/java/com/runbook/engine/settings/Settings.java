package com.runbook.engine.settings;

import com.runbook.engine.definition.Durations;
import org.apache.camel.CamelContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The engine's settings, read through Camel's properties (application.properties, then the environment and
 * overrides). Every {@code runbook.*} key has its default in application.properties, and only there: code asks for
 * a key and gets its value, typed. A key the file does not declare stops the engine ({@link #requireKnown}).
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

    /**
     * Refuses {@code runbook.*} keys and {@code RUNBOOK_*} environment variables that application.properties does
     * not declare, wherever Camel reads them from: the property files it loaded, {@code overrides}, system properties
     * and the environment. The message has one line per unknown name, naming the nearest known one:
     * {@code unknown setting runbook.notfy.email.to (did you mean runbook.notify.email.to?)}.
     */
    public static void requireKnown(CamelContext camel, Map<String, String> overrides) {
        requireKnown(camel, overrides, Set.of());
    }

    /**
     * Like {@link #requireKnown(CamelContext, Map)}, also knowing {@code routeKeys}: the {@code runbook.*} keys the
     * route files name in {@code {{...}}} placeholders (an operator's own settings for a runbook, set with -D or an
     * override).
     */
    public static void requireKnown(CamelContext camel, Map<String, String> overrides, Set<String> routeKeys) {
        List<String> keys = new ArrayList<>(camel.getPropertiesComponent()
                .loadProperties(k -> k.startsWith(KnownSettings.KEY_PREFIX)).stringPropertyNames());
        keys.addAll(overrides.keySet());
        keys.addAll(System.getProperties().stringPropertyNames());
        requireKnown(KnownSettings.fromClasspath().withKeys(routeKeys), keys, System.getenv().keySet());
    }

    /** {@link #requireKnown(CamelContext, Map)} over given names (keys not starting with runbook. are ignored). */
    static void requireKnown(KnownSettings known, Collection<String> keys, Collection<String> envNames) {
        List<String> unknown = known.unknown(keys.stream().sorted().toList(), envNames.stream().sorted().toList());
        if (!unknown.isEmpty()) {
            throw new UnknownSettingException(String.join("\n", unknown));
        }
    }

    /**
     * A setting as a person sets it: the key and its environment variable, {@code runbook.trading.stop-url (env
     * RUNBOOK_TRADING_STOP_URL)}. Every message about a missing or wrong setting names it this way: most operators set
     * the engine through its environment (Docker, systemd), where the key alone does not say what to write.
     */
    public static String named(String key) {
        return key + " (env " + KnownSettings.fromClasspath().envOf(key) + ")";
    }

    /** Settings from a plain function (tests). */
    public static Settings of(Function<String, Optional<String>> resolve) {
        return new Settings(resolve);
    }

    /** The value of {@code key} as written ({@code ""} when empty). */
    public String text(String key) {
        return resolve.apply(key).orElseThrow(() -> new IllegalStateException(
                "setting " + named(key) + " has no value: application.properties must declare it"));
    }

    /** The value of {@code key}, trimmed; empty when blank. */
    public Optional<String> optional(String key) {
        return resolve.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public int integer(String key) {
        String v = text(key).trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
        }
    }

    /** {@code true} or {@code false}, in any case. */
    public boolean flag(String key) {
        String v = text(key).trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
    }

    /** A duration such as {@code 500ms}, {@code 15s}, {@code 5m}, {@code 90d}. */
    public Duration duration(String key) {
        try {
            return Durations.parse(text(key).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** A comma-separated list, each item trimmed, empty items dropped. */
    public List<String> list(String key) {
        return Arrays.stream(text(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
