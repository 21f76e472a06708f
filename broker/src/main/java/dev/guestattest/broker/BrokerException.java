package dev.guestattest.broker;

/**
 * A refusal with its HTTP status (400 bad input, 401 not attested, 403 not allowed, 404 no such
 * resource, 413 too large, 429 too many requests, 503 unavailable). The message says why and what to
 * do; it never holds secret material.
 */
public final class BrokerException extends RuntimeException {
    private final int status;

    public BrokerException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
