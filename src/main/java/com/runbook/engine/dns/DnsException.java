package com.runbook.engine.dns;

import com.runbook.engine.http.ApiException;

/**
 * A DNS step that failed or was refused, with the HTTP status the API answers with (400 bad input, 409 cooldown or
 * nothing to roll back, 422 unhealthy target or missing record, 502 provider or verification failure, 503 not
 * configured). The message is the contract; in a job run it becomes the run's error.
 */
public class DnsException extends ApiException {
    public DnsException(int status, String message) {
        super(status, message);
    }
}
