package com.runbook.engine.definition;

import org.apache.camel.spi.Registry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Inert stand-ins for the beans the engine binds (listed in {@code engine-beans.properties}), for {@code validate},
 * which runs without the engine: each is an instance of the engine bean's class made without running a constructor
 * (an interface gets a proxy), so Camel can look it up and read its methods; the check never calls it.
 */
public final class StandInBeans {
    private StandInBeans() {
    }

    /** Bean name → class name, as the engine binds them. */
    static Map<String, String> declared() {
        Properties p = new Properties();
        try (InputStream in = StandInBeans.class.getClassLoader().getResourceAsStream("engine-beans.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read engine-beans.properties", e);
        }
        Map<String, String> beans = new TreeMap<>();
        p.stringPropertyNames().forEach(n -> beans.put(n, p.getProperty(n).trim()));
        return beans;
    }

    /** Binds a stand-in for every declared engine bean into {@code registry}. */
    public static void bindAll(Registry registry) {
        declared().forEach((name, className) -> {
            try {
                Class<?> type = Class.forName(className);
                registry.bind(name, type, standIn(type));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("engine-beans.properties: cannot make a stand-in for " + name, e);
            }
        });
    }

    @SuppressWarnings("removal")
    private static Object standIn(Class<?> type) throws ReflectiveOperationException {
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                throw new UnsupportedOperationException("a validate stand-in is never called");
            });
        }
        Constructor<?> noConstructor = sun.reflect.ReflectionFactory.getReflectionFactory()
                .newConstructorForSerialization(type, Object.class.getDeclaredConstructor());
        return noConstructor.newInstance();
    }
}
