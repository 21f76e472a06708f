// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;

/**
 * A kind of key: which descriptions it allows, whether its payload can be read back, how large it
 * may be, and how to construct one when a request misses (the in-process request-key upcall).
 */
public interface KeyType {
    String name();

    /** Throws INVALID_ARGUMENT naming the rule when {@code description} is not one this type allows. */
    void vet(String description);

    /** Whether the payload may be read back; false for keys meant only for in-kernel-style use. */
    boolean readable();

    int maxPayload();

    /**
     * The payload for a request that missed, from the caller's callout. Types without a
     * constructor fail with KEY_NOT_FOUND, as the kernel does when no handler is configured.
     */
    default byte[] construct(String description, String callout) {
        throw AttestationException.of(Reason.KEY_NOT_FOUND, "no key " + name() + ":" + description
                + " and the type has no constructor; add it first");
    }
}
