package com.runbook.engine.definition;

import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** engine-beans.properties (the stand-ins `validate` binds) lists exactly the engine's own beans, with their classes. */
class EngineBeansTest {

    @Test
    void theStandInsAreTheBeansARunningEngineBinds(@TempDir Path tmp) throws Exception {
        try (Engine engine = TestEngine.start(TestEngine.copyShippedRunbooks(tmp.resolve("base")), tmp.resolve("data"), Map.of())) {
            Map<String, String> bound = new TreeMap<>();
            engine.context().getRegistry().findByTypeWithName(Object.class).forEach((name, bean) -> {
                String cls = bean.getClass().getName();
                if (cls.startsWith("com.runbook.") || cls.equals("com.zaxxer.hikari.HikariDataSource")
                        || cls.equals("freemarker.template.Configuration")) {
                    bound.put(name, cls);
                }
            });
            Map<String, String> declared = new TreeMap<>(StandInBeans.declared());
            // an interface is declared as such: the engine binds an implementation of it
            declared.forEach((name, cls) -> {
                Object bean = engine.context().getRegistry().lookupByName(name);
                assertThat(bean).as(name).isNotNull();
                try {
                    Class<?> type = Class.forName(cls);
                    // routes use a data source only as a javax.sql.DataSource: the stand-in pool also stands for the
                    // demo's trading database, bound as the pool behind its seeding wrapper (report/SeededTrading)
                    boolean asDataSource = bean instanceof javax.sql.DataSource && javax.sql.DataSource.class.isAssignableFrom(type);
                    assertThat(type.isInstance(bean) || asDataSource).as(name + " is a " + cls).isTrue();
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(declared.keySet()).as("every engine bean has a stand-in").containsAll(bound.keySet());
        }
    }
}
