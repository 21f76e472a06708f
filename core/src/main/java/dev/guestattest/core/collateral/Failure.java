// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import dev.guestattest.core.Reason;

/** Why collateral could not be had, as an operator needs to know it: never folded into a generic timeout. */
public enum Failure {
    /** No connection or no answer in time: DNS, refused, reset, timed out. */
    UNREACHABLE(Reason.IO_ERROR),
    /** 404: the service does not know this platform, chip or TCB. */
    NOT_FOUND(Reason.KEY_NOT_FOUND),
    /** 429/503 beyond the retry budget. */
    THROTTLED(Reason.BUSY),
    /** Another 4xx: the service refused the request as made. */
    REFUSED(Reason.DEVICE_ERROR),
    /** 5xx. */
    SERVER_ERROR(Reason.DEVICE_ERROR),
    /** The document did not check out (format, signature, chain): refused and not cached. */
    BAD_DOCUMENT(Reason.KEY_REJECTED),
    /** Only a copy past its freshness (and past any grace period) was available. */
    STALE(Reason.KEY_EXPIRED),
    /** No origin is configured for it and no copy is cached. */
    NO_SOURCE(Reason.NO_PROVIDER);

    private final Reason reason;

    Failure(Reason reason) {
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The label metrics use: {@code not_found}, {@code throttled} ... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
