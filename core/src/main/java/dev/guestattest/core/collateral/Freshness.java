// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a dated document (a CRL, a TCB Info, a QE Identity) may be used at an instant: never
 * before it was issued, never without a next update, and past its next update only within the
 * configured grace period, then with a note saying so. The one rule every verifier judges
 * revocation lists and signed collateral by.
 *
 * @param verdict what the document may be used for
 * @param detail why it is stale, or the grace note; empty when fresh
 */
public record Freshness(Verdict verdict, String detail) {
    public enum Verdict {
        FRESH, WITHIN_GRACE, STALE
    }

    private static final Freshness FRESH = new Freshness(Verdict.FRESH, "");

    /** Whether the document may be used (fresh, or within the grace period). */
    public boolean usable() {
        return verdict != Verdict.STALE;
    }

    /** A CRL by its thisUpdate and nextUpdate; {@code what} names it in the detail. */
    public static Freshness of(String what, X509CRL crl, Instant now, Duration grace) {
        return of(what, "thisUpdate", crl.getThisUpdate().toInstant(),
                Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant), now, grace);
    }

    /**
     * A document issued at {@code issued} (called {@code issuedField} in the detail, as its format
     * names it) and due for replacement at {@code nextUpdate}.
     */
    public static Freshness of(String what, String issuedField, Instant issued, Optional<Instant> nextUpdate, Instant now,
                               Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        if (now.isBefore(issued)) {
            return stale(what + " is not valid before its " + issuedField + " " + issued);
        }
        if (nextUpdate.isEmpty()) {
            return stale(what + " has no nextUpdate, so its freshness cannot be judged");
        }
        Instant next = nextUpdate.get();
        if (!now.isAfter(next)) {
            return FRESH;
        }
        String past = what + " is stale: its nextUpdate " + next + " has passed";
        if (grace.isZero()) {
            return stale(past);
        }
        if (now.isAfter(next.plus(grace))) {
            return stale(past + ", and the grace period of " + grace + " too");
        }
        return new Freshness(Verdict.WITHIN_GRACE, past + " (used within the configured grace period)");
    }

    private static Freshness stale(String why) {
        return new Freshness(Verdict.STALE, why);
    }
}
