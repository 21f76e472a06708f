// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.util.List;
import java.util.Objects;

/**
 * A refusal and its reason in words: why, and what to do; with the names of the checks that failed,
 * when checks decided it (the appraisal's, the resource rule's). The message never holds secret material.
 */
public final class BrokerException extends RuntimeException {
    private final Refusal refusal;
    private final List<String> checks;

    public BrokerException(Refusal refusal, String message) {
        this(refusal, message, List.of());
    }

    private BrokerException(Refusal refusal, String message, List<String> checks) {
        super(message, null, false, false);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.checks = List.copyOf(checks);
    }

    /**
     * Refused because {@code checks} failed: the message names them first ("refused by quote.signature,
     * policy.tcb_status: ..."), as a client that reads only the message (Trustee's kbs-client) shows it.
     */
    public static BrokerException failedChecks(Refusal refusal, List<String> checks, String why) {
        if (checks.isEmpty()) {
            return new BrokerException(refusal, why);
        }
        return new BrokerException(refusal, "refused by " + String.join(", ", checks) + ": " + why, checks);
    }

    public Refusal refusal() {
        return refusal;
    }

    /** The names of the checks that failed; empty when none decided it (a spent nonce, an expired token). */
    public List<String> checks() {
        return checks;
    }
}
