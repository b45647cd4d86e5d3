package com.runbook.engine.alert;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.language.bean.BeanLanguage;
import org.apache.camel.spi.Language;
import org.apache.camel.spi.LanguageResolver;
import org.apache.camel.support.ExpressionAdapter;
import org.apache.camel.support.PluginHelper;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${body[alertname]}} in {@code alert-routing}, read without Camel's per-evaluation parsing. Camel's simple
 * language evaluates {@code ${body[key]}} by asking the bean language for a new expression on the body every time:
 * it builds and initialises a {@code BeanExpression} and splits its OGNL with regular expressions, a quarter of the
 * engine's CPU per alert on PostgreSQL and a tenth on H2 (bench/HISTORY.md), for five predicates per alert. This bean
 * language answers the one form "a map body, a plain key in brackets" ({@code [alertname]}, {@code ['alertname']})
 * with the map's value for that key, which is what Camel's answers (its OGNL trims the key, removes the quotes and
 * calls {@code Map.get}); every other expression is Camel's own.
 */
final class LabelLookup extends BeanLanguage {
    /** {@code [key]}, {@code ['key']} or {@code ["key"]}, nothing before or after. */
    private static final Pattern PLAIN_INDEX =
            Pattern.compile("\\[\\s*(?:'([^'\\[\\]]*)'|\"([^\"\\[\\]]*)\"|([A-Za-z_][A-Za-z0-9_\\-]*))\\s*\\]");

    /**
     * The answers of {@link #plainIndex} per OGNL string: the routes' expressions are a small, fixed set, asked again
     * for every alert (the regular expression was 3 % of the webhook's CPU). Bounded, for expressions built at run
     * time.
     */
    private static final Map<String, Optional<String>> KEYS = new ConcurrentHashMap<>();
    private static final int KEYS_MAX = 1024;

    private LabelLookup() {
    }

    /** Makes {@code context} resolve the {@code bean} language to this one; before any route is added. */
    static void install(CamelContext context) {
        LanguageResolver camels = PluginHelper.getLanguageResolver(context);
        context.getCamelContextExtension().addContextPlugin(LanguageResolver.class, (name, ctx) ->
                "bean".equals(name) ? new LabelLookup() : camels.resolveLanguage(name, ctx));
    }

    /** Whether {@code context}'s bean language is this one (its expressions resolved it once, at their start). */
    static boolean installed(CamelContext context) {
        Language bean = context.resolveLanguage("bean");
        return bean instanceof LabelLookup;
    }

    /** The key of a plain index ({@code [key]}), or null for any other OGNL. */
    static String plainIndex(String ognl) {
        if (ognl == null) {
            return null;
        }
        Optional<String> known = KEYS.get(ognl);
        if (known == null) {
            known = Optional.ofNullable(parse(ognl));
            if (KEYS.size() < KEYS_MAX) {
                KEYS.put(ognl, known);
            }
        }
        return known.orElse(null);
    }

    private static String parse(String ognl) {
        Matcher m = PLAIN_INDEX.matcher(ognl);
        if (!m.matches()) {
            return null;
        }
        return m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
    }

    /** Properties as Camel's simple language passes them: 1 the bean (the body), 2 the OGNL. */
    @Override
    public Expression createExpression(String expression, Object[] properties) {
        Object bean = properties != null && properties.length > 2 ? properties[1] : null;
        String key = bean instanceof Map<?, ?> && properties[2] instanceof String ognl ? plainIndex(ognl) : null;
        return key == null ? super.createExpression(expression, properties) : new Entry((Map<?, ?>) bean, key);
    }

    /** A map's value for one key. */
    static final class Entry extends ExpressionAdapter {
        private final Map<?, ?> map;
        private final String key;

        Entry(Map<?, ?> map, String key) {
            this.map = map;
            this.key = key;
        }

        @Override
        public Object evaluate(Exchange exchange) {
            return map.get(key);
        }

        @Override
        public String toString() {
            return "[" + key + "]";
        }
    }
}
