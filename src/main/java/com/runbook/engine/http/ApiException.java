package com.runbook.engine.http;

/** A request the API refuses, with the HTTP status and the message the caller sees. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
