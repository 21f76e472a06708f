// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.util.Objects;

/** A refusal and its reason in words: why, and what to do. The message never holds secret material. */
public final class BrokerException extends RuntimeException {
    private final Refusal refusal;

    public BrokerException(Refusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    public Refusal refusal() {
        return refusal;
    }
}
