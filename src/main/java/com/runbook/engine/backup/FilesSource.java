package com.runbook.engine.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Folders (the runbooks' routes/ and schedules/) archived as one zip, written through a pipe. */
record FilesSource(String name, Path base, List<String> folders) implements BackupSource {

    @Override
    public String extension() {
        return "zip";
    }

    @Override
    public Dump open() throws Exception {
        return PipeDump.start(name, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (String folder : folders) {
                    Path dir = base.resolve(folder);
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    try (Stream<Path> files = Files.walk(dir)) {
                        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                            zip.putNextEntry(new ZipEntry(base.relativize(f).toString().replace('\\', '/')));
                            Files.copy(f, zip);
                            zip.closeEntry();
                        }
                    }
                }
            }
        });
    }
}
