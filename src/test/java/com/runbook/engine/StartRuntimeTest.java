package com.runbook.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The ready line's runtime: which JVM, and whether the start-up cache the runbook script passed is in use. */
class StartRuntimeTest {
    @Test
    void saysWhichCacheTheJvmUses() {
        assertThat(StartRuntime.describe("25.0.3+9-LTS", "mixed mode, sharing",
                List.of("-Xms16m", "-XX:AOTCache=target/runbook-engine-jdk25.aot")))
                .isEqualTo("Java 25.0.3+9-LTS with the AOT cache target/runbook-engine-jdk25.aot");
        assertThat(StartRuntime.describe("17.0.15+6", "mixed mode, sharing",
                List.of("-XX:SharedArchiveFile=target/runbook-engine-jdk17.jsa")))
                .isEqualTo("Java 17.0.15+6 with the CDS archive target/runbook-engine-jdk17.jsa");
        assertThat(StartRuntime.describe("17.0.15+6", "mixed mode, sharing", List.of()))
                .isEqualTo("Java 17.0.15+6 with the JDK's default CDS archive");
        assertThat(StartRuntime.describe("17.0.15+6", "mixed mode", List.of()))
                .isEqualTo("Java 17.0.15+6 without a class cache");
    }

    @Test
    void saysSoWhenTheJvmRefusedTheCache() {
        assertThat(StartRuntime.describe("25.0.3+9-LTS", "mixed mode", List.of("-XX:AOTCache=old.aot")))
                .isEqualTo("Java 25.0.3+9-LTS without its AOT cache (old.aot not usable by this JVM)");
    }

    @Test
    void describesThisJvm() {
        assertThat(StartRuntime.describe()).startsWith("Java " + System.getProperty("java.runtime.version") + " w");
    }
}
