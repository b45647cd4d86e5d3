package com.runbook.engine.cli;

/** A command that cannot do its work: the one-line message printed as {@code error: ...} and the exit status. */
class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
