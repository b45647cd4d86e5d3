package com.runbook.engine.dryrun;

/**
 * A dry run reached a side effect it has no handling for (a bean method without {@code @DryRunSafe}, a remote
 * endpoint without a recorder): the dry run fails with this, and the effect is never performed.
 */
public final class DryRunRefused extends RuntimeException {
    DryRunRefused(String message) {
        super(message);
    }
}
