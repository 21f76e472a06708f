// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import dev.guestattest.broker.Refusal;

/** The one place a refusal becomes an HTTP status (Trustee's error.rs), and a status the error body's type. */
public final class HttpStatuses {
    /** A bug of the broker's own: no refusal, no detail beyond "see the log". */
    public static final int INTERNAL = 500;

    private HttpStatuses() {
    }

    public static int of(Refusal r) {
        return switch (r) {
            case BAD_REQUEST, UNKNOWN_TEE, UNSUPPORTED_VERSION -> 400;
            case UNAUTHORIZED_SESSION, ATTESTATION_FAILED, TOKEN_INVALID, TOKEN_EXPIRED, ADMIN_UNAUTHORIZED -> 401;
            case NO_POLICY, POLICY_DENIED -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case BODY_TIMEOUT -> 408;
            case TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case UNAVAILABLE -> 503;
        };
    }

    /** The last segment of an error body's {@code type} URI. */
    static String kind(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 408 -> "request-timeout";
            case 413 -> "too-large";
            case 429 -> "too-many-requests";
            case 503 -> "unavailable";
            case INTERNAL -> "internal";
            default -> "bad-request";
        };
    }
}
