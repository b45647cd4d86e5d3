package com.runbook.engine.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings the engine knows, read from application.properties: its {@code runbook.*} keys, the environment
 * variables its {@code {{env:NAME}}} placeholders name, and the {@code #known} lines (families of keys built from
 * other settings, and names read outside the engine's settings). Camel also reads every key from the environment in
 * upper case with dots and dashes as underscores ({@code runbook.api.token} from {@code RUNBOOK_API_TOKEN}), so that
 * form of each key is known too.
 */
final class KnownSettings {
    static final String KEY_PREFIX = "runbook.";
    static final String ENV_PREFIX = "RUNBOOK_";
    private static final Pattern DECLARED = Pattern.compile("^(runbook\\.[^=:\\s]+)\\s*[=:]", Pattern.MULTILINE);
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)");
    private static final Pattern KEY_FROM_ENV = Pattern.compile(
            "^([a-z][^=:\\s]*)\\s*[=:]\\s*\\{\\{env:([A-Za-z0-9_]+)", Pattern.MULTILINE);
    private static final Pattern KNOWN_LINE = Pattern.compile("^#known\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern RETIRED_LINE = Pattern.compile("^#retired\\s+(\\S+)\\s+(.+)$", Pattern.MULTILINE);
    private static KnownSettings fromClasspath;

    private final List<String> keys = new ArrayList<>();
    private final List<String> keyPatterns = new ArrayList<>();
    private final List<String> envNames = new ArrayList<>();
    private final List<Pattern> envPatterns = new ArrayList<>();
    private final List<Pattern> keyRegexes = new ArrayList<>();
    /** The environment variable each key's {@code {{env:NAME:default}}} value names. */
    private final Map<String, String> envOfKey = new LinkedHashMap<>();
    /** Keys no longer read, each with what to do instead ({@code #retired} lines). */
    private final Map<String, String> retired = new LinkedHashMap<>();

    private KnownSettings() {
    }

    /** The engine's own application.properties. */
    static synchronized KnownSettings fromClasspath() {
        if (fromClasspath == null) {
            try (InputStream in = KnownSettings.class.getResourceAsStream("/application.properties")) {
                if (in == null) {
                    throw new IllegalStateException("application.properties is not on the class path");
                }
                fromClasspath = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fromClasspath;
    }

    /** The settings a properties file's text declares. */
    static KnownSettings parse(String text) {
        KnownSettings known = new KnownSettings();
        Set<String> keys = new LinkedHashSet<>();
        Set<String> env = new LinkedHashSet<>();
        Matcher m = DECLARED.matcher(text);
        while (m.find()) {
            keys.add(m.group(1));
        }
        m = ENV_PLACEHOLDER.matcher(text);
        while (m.find()) {
            env.add(m.group(1));
        }
        m = KEY_FROM_ENV.matcher(text);
        while (m.find()) {
            known.envOfKey.put(m.group(1), m.group(2));
        }
        m = KNOWN_LINE.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (name.startsWith(KEY_PREFIX) && name.contains("*")) {
                known.keyPatterns.add(name);
            } else if (name.startsWith(KEY_PREFIX)) {
                keys.add(name);
            } else if (name.contains("*")) {
                known.envPatterns.add(Pattern.compile(glob(name, "[A-Za-z0-9_]+")));
            } else {
                env.add(name);
            }
        }
        m = RETIRED_LINE.matcher(text);
        while (m.find()) {
            known.retired.put(m.group(1), m.group(2).strip());
        }
        known.keys.addAll(keys);
        keys.forEach(k -> env.add(envForm(k)));
        known.envNames.addAll(env);
        for (String p : known.keyPatterns) {
            known.keyRegexes.add(Pattern.compile(glob(p, "[^.]+")));
            known.envPatterns.add(Pattern.compile(glob(envForm(p), "[A-Za-z0-9_]+")));
        }
        return known;
    }

    /** These settings and {@code more} keys (and their environment forms). */
    KnownSettings withKeys(Collection<String> more) {
        KnownSettings known = new KnownSettings();
        known.keys.addAll(keys);
        known.keyPatterns.addAll(keyPatterns);
        known.envNames.addAll(envNames);
        known.envPatterns.addAll(envPatterns);
        known.keyRegexes.addAll(keyRegexes);
        known.retired.putAll(retired);
        known.envOfKey.putAll(envOfKey);
        more.stream().filter(k -> !known.keys.contains(k)).forEach(k -> {
            known.keys.add(k);
            known.envNames.add(envForm(k));
        });
        return known;
    }

    /** One line per unknown {@code runbook.*} key and {@code RUNBOOK_*} environment variable, in the order given. */
    List<String> unknown(Collection<String> keys, Collection<String> envNames) {
        List<String> lines = new ArrayList<>();
        for (String key : new LinkedHashSet<>(keys)) {
            if (retired.containsKey(key)) {
                lines.add("setting " + key + " is no longer read: " + retired.get(key));
            } else if (key.startsWith(KEY_PREFIX) && !knownKey(key)) {
                lines.add(line(key, nearestKey(key)));
            }
        }
        for (String name : new LinkedHashSet<>(envNames)) {
            String retiredKey = retired.keySet().stream().filter(k -> envForm(k).equals(name)).findFirst().orElse(null);
            if (retiredKey != null) {
                lines.add("setting " + name + " is no longer read: " + retired.get(retiredKey));
            } else if (name.startsWith(ENV_PREFIX) && !knownEnv(name)) {
                lines.add(line(name, nearest(name, envNames())));
            }
        }
        return lines;
    }

    boolean knownKey(String key) {
        return keys.contains(key) || keyRegexes.stream().anyMatch(r -> r.matcher(key).matches());
    }

    boolean knownEnv(String name) {
        return envNames.contains(name) || envPatterns.stream().anyMatch(r -> r.matcher(name).matches());
    }

    List<String> keys() {
        return keys;
    }

    List<String> envNames() {
        return envNames;
    }

    /**
     * The nearest declared key, or a family's key named like {@code key} (the same name in its {@code *} places; a
     * family whose last part is the {@code *} is not offered: the whole name would be the unknown key's).
     */
    String nearestKey(String key) {
        List<String> candidates = new ArrayList<>(keys);
        String[] parts = key.split("\\.", -1);
        for (String p : keyPatterns) {
            String[] pattern = p.split("\\.", -1);
            if (pattern.length == parts.length && !pattern[pattern.length - 1].equals("*")) {
                String[] filled = pattern.clone();
                for (int i = 0; i < filled.length; i++) {
                    if (filled[i].equals("*")) {
                        filled[i] = parts[i];
                    }
                }
                candidates.add(String.join(".", filled));
            }
        }
        return nearest(key, candidates);
    }

    private static String line(String name, String nearest) {
        return "unknown setting " + name + (nearest == null ? "" : " (did you mean " + nearest + "?)");
    }

    /** The candidate with the fewest edits from {@code name}; the first of equals. */
    static String nearest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** The environment variable Camel reads a key from: upper case, dots and dashes as underscores. */
    /**
     * The environment variable that sets {@code key}: the one its value in application.properties names
     * ({@code runbook.trading.stop-url={{env:RUNBOOK_TRADING_STOP_URL:}}}), else Camel's upper-case form of the key.
     */
    String envOf(String key) {
        return envOfKey.getOrDefault(key, envForm(key));
    }

    static String envForm(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String glob(String pattern, String star) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
        for (int i = 1; i < parts.length; i++) {
            regex.append(star).append(Pattern.quote(parts[i]));
        }
        return regex.toString();
    }
}
