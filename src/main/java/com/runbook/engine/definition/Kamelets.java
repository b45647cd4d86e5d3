package com.runbook.engine.definition;

import org.apache.camel.util.URISupport;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Checks a {@code kamelet:} URI against the properties its kamelet declares (in the catalog, classpath:kamelets). */
final class Kamelets {
    private Kamelets() {
    }

    /** The declared properties of a kamelet, and those it requires. */
    record Declared(Set<String> properties, Set<String> required) {
    }

    /** Options of the kamelet endpoint itself, not properties of the kamelet. */
    private static final Set<String> ENDPOINT_OPTIONS = Set.of("templateId", "routeId", "location", "block", "timeout",
            "failIfNoConsumers", "noSelfReference", "bridgeErrorHandler", "exceptionHandler", "exchangePattern",
            "lazyStartProducer");

    /** What is wrong with {@code uri} ({@code kamelet:name[/routeId]?options}, or {@code kamelet?templateId=name&...}). */
    static Optional<String> problem(String uri) {
        String rest = uri.substring("kamelet".length()).replaceFirst("^:", "");
        int q = rest.indexOf('?');
        Map<String, Object> options;
        try {
            options = q < 0 ? Map.of() : URISupport.parseQuery(rest.substring(q + 1), true);
        } catch (URISyntaxException e) {
            return Optional.of("invalid options in '" + uri + "': " + e.getMessage());
        }
        String path = (q < 0 ? rest : rest.substring(0, q)).replaceFirst("/.*", "");
        String name = path.isEmpty() ? String.valueOf(options.get("templateId")) : path;
        if (name.equals("source") || name.equals("sink")) {
            return Optional.empty();   // the ends of a kamelet's own template
        }
        Optional<Declared> declared = declared(name);
        if (declared.isEmpty()) {
            return Optional.of("no kamelet named '" + name + "' in the Kamelet catalog (kamelets/" + name
                    + ".kamelet.yaml on the class path)");
        }
        Set<String> given = new TreeSet<>(options.keySet());
        given.removeAll(ENDPOINT_OPTIONS);
        Set<String> unknown = new TreeSet<>(given);
        unknown.removeAll(declared.get().properties());
        if (!unknown.isEmpty()) {
            return Optional.of("kamelet '" + name + "' has no propert" + (unknown.size() > 1 ? "ies " : "y ")
                    + String.join(", ", unknown) + " (it takes: " + String.join(", ", declared.get().properties()) + ")");
        }
        Set<String> missing = new TreeSet<>(declared.get().required());
        missing.removeAll(given);
        if (!missing.isEmpty()) {
            return Optional.of("kamelet '" + name + "' needs propert" + (missing.size() > 1 ? "ies " : "y ")
                    + String.join(", ", missing));
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    static Optional<Declared> declared(String name) {
        try (InputStream in = Kamelets.class.getClassLoader().getResourceAsStream("kamelets/" + name + ".kamelet.yaml")) {
            if (in == null) {
                return Optional.empty();
            }
            Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
            Map<String, Object> definition = (Map<String, Object>) ((Map<String, Object>) doc.getOrDefault("spec", Map.of()))
                    .getOrDefault("definition", Map.of());
            Map<String, Object> properties = (Map<String, Object>) definition.getOrDefault("properties", Map.of());
            List<String> required = (List<String>) definition.getOrDefault("required", List.of());
            return Optional.of(new Declared(new TreeSet<>(properties.keySet()), new TreeSet<>(required)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
