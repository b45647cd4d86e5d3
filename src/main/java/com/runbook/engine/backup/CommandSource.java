package com.runbook.engine.backup;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Any command whose stdout is the dump (mysqldump, a vendor tool, a generator for benchmarks). */
record CommandSource(String name, List<String> command, String extension, Path tmpDir) implements BackupSource {

    @Override
    public Dump open() throws Exception {
        return ProcessDump.start(command, Map.of(), tmpDir);
    }
}
