package com.runbook.engine.http;

/**
 * A refusal with its HTTP status, for the packages that still name one.
 *
 * @deprecated domain code throws {@link com.runbook.engine.core.Refused}; goes once nothing outside http uses it
 */
@Deprecated(forRemoval = true)
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
