// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;

/**
 * Why the broker says no, apart from any transport (Trustee's error.rs, as a Java enum). The HTTP
 * layer alone turns these into statuses. The audit log names each refusal by the outcome it has
 * always used ({@code refused-401}, ...): those names are a stored record operators query, so they
 * are fixed here, once, and a test checks they still agree with the statuses HTTP answers.
 */
public enum Refusal {
    /** The request is not what the endpoint takes: not JSON, a missing field, a bad path, a trust anchor from a guest. */
    BAD_REQUEST("refused-400"),
    /** The auth request names a TEE this broker does not appraise. */
    UNKNOWN_TEE("refused-400"),
    /** The auth request speaks a protocol version this broker does not. */
    UNSUPPORTED_VERSION("refused-400"),
    /** No session, an unknown or expired one, a spent nonce, or a session that has not attested. */
    UNAUTHORIZED_SESSION("refused-401"),
    /** The attestation failed: another session's nonce, replayed or contraindicated evidence, evidence of another TEE. */
    ATTESTATION_FAILED("refused-401"),
    /** A bearer token this broker did not issue, or that was changed. */
    TOKEN_INVALID("refused-401"),
    TOKEN_EXPIRED("refused-401"),
    /** An admin endpoint without the admin credential. */
    ADMIN_UNAUTHORIZED("refused-401"),
    /** No attestation policy is set: nothing is appraised, nothing released. */
    NO_POLICY("refused-403"),
    /** The resource policy does not let this result read this path. */
    POLICY_DENIED("refused-403"),
    /** No such resource, or no such endpoint. */
    NOT_FOUND("refused-404"),
    METHOD_NOT_ALLOWED("refused-405"),
    /** The request body did not arrive whole in time, or arrived too slowly. */
    BODY_TIMEOUT("refused-408"),
    TOO_LARGE("refused-413"),
    /** Past a per-client rate limit. */
    RATE_LIMITED("refused-429"),
    /** The broker cannot serve it now: its store, a collateral service, or a TEE it is not set up for. */
    UNAVAILABLE("refused-503");

    private final String auditOutcome;

    Refusal(String auditOutcome) {
        this.auditOutcome = auditOutcome;
    }

    /** The outcome an audit entry of this refusal records. */
    public String auditOutcome() {
        return auditOutcome;
    }

    /** What an {@link AttestationException} amounts to: the caller's input (too large, or bad), or the environment failing. */
    public static Refusal of(AttestationException e) {
        if (e.reason().category() == Reason.Category.INPUT) {
            return e.reason() == Reason.TOO_LARGE ? TOO_LARGE : BAD_REQUEST;
        }
        return UNAVAILABLE;
    }
}
