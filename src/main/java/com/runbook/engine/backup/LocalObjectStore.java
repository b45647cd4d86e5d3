package com.runbook.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** The embedded default: objects are files under a root folder, keys are relative paths. */
class LocalObjectStore implements ObjectStore {
    private final Path root;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path path(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key outside the store: " + key);
        }
        return p;
    }

    /** Writes to a temporary file under {@code .incoming/}, then renames it to the key's path (atomic on one file system). */
    @Override
    public Stored put(String key, InputStream in, BeforeCommit beforeCommit) throws Exception {
        Path p = path(key);
        Path incoming = root.resolve(".incoming");
        Files.createDirectories(incoming);
        Path temp = Files.createTempFile(incoming, p.getFileName().toString(), ".part");
        try {
            long size = Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            beforeCommit.check();
            Files.createDirectories(p.getParent());
            Files.move(temp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Stored(size, false);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        Path p = path(key);
        return Files.isRegularFile(p) ? OptionalLong.of(Files.size(p)) : OptionalLong.empty();
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            Files.delete(path(key));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path dir = path(prefix.endsWith("/") ? prefix : prefix.substring(0, Math.max(0, prefix.lastIndexOf('/') + 1)));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix)).toList();
        }
    }

    @Override
    public String describe() {
        return "local folder " + root;
    }

    @Override
    public String location(String key) {
        return path(key).toString();
    }

    @Override
    public String kind() {
        return "file";
    }
}
