package com.runbook.engine;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Which runtime the engine runs on and whether its start-up cache is in use, for the ready line: the runbook script
 * picks a JDK >= 25 with its ahead-of-time cache ({@code -XX:AOTCache}) or java 17 with a class-data sharing archive
 * ({@code -XX:SharedArchiveFile}), and a cache the JVM could not use (made by another JVM, for other jars or flags)
 * is only a warning of the JVM's, which the script silences: this line says it instead.
 */
final class StartRuntime {
    private StartRuntime() {
    }

    /** E.g. "Java 25.0.3+9-LTS with the AOT cache target/runbook-engine-jdk25.aot". */
    static String describe() {
        return describe(System.getProperty("java.runtime.version", "?"), System.getProperty("java.vm.info", ""),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static String describe(String version, String vmInfo, List<String> jvmArguments) {
        boolean sharing = vmInfo.contains("sharing");
        String aot = valueOf(jvmArguments, "-XX:AOTCache=");
        String cds = valueOf(jvmArguments, "-XX:SharedArchiveFile=");
        String cache;
        if (aot != null) {
            cache = sharing ? "with the AOT cache " + aot : "without its AOT cache (" + aot + " not usable by this JVM)";
        } else if (cds != null) {
            cache = sharing ? "with the CDS archive " + cds : "without its CDS archive (" + cds + " not usable by this JVM)";
        } else {
            cache = sharing ? "with the JDK's default CDS archive" : "without a class cache";
        }
        return "Java " + version + " " + cache;
    }

    private static String valueOf(List<String> arguments, String prefix) {
        String value = null;
        for (String a : arguments) {   // the last one wins, as for the JVM
            if (a.startsWith(prefix)) {
                value = a.substring(prefix.length());
            }
        }
        return value;
    }
}
