package com.runbook.engine.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The name this node writes into job_run, job_lock and its scheduler check-in. {@code runbook.node} when set; else
 * the name kept in {@code <data-dir>/node-id}, created once as {@code <hostname>-<6 hex>}: the same after every
 * restart (also when the host name changes, e.g. a new container on the same volume), so that the node finds its own
 * check-in, locks and runs of before the restart. Two nodes must not share a data folder unless runbook.node is set.
 */
public final class NodeIdentity {
    static final String FILE = "node-id";

    private NodeIdentity() {
    }

    public static String resolve(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[3];
                new SecureRandom().nextBytes(random);
                Files.createDirectories(dataDir);
                try {
                    Files.writeString(Files.createFile(file), hostName() + "-" + HexFormat.of().formatHex(random) + "\n");
                } catch (FileAlreadyExistsException raced) {
                    // another start wrote it first: use that one
                }
            }
            String name = Files.readString(file).trim();
            if (name.isEmpty()) {
                throw new IllegalStateException(file + " is empty: delete it (a new node name is created) or set RUNBOOK_NODE");
            }
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the node name in " + file + " (or set RUNBOOK_NODE)", e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "node";
        }
    }
}
