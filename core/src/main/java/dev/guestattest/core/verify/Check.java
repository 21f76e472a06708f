// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import dev.guestattest.core.AttestationException;
import java.util.Objects;

/**
 * One named check of a verification and what came of it. A check that could not be made is a
 * failure whose detail says why, never a pass; its {@link Kind} says whether the evidence was
 * judged and found wanting, was malformed, or could not be judged here (collateral unreachable).
 */
public record Check(String name, boolean passed, String detail, Kind kind) {
    /** Why a failed check failed; a passed check is always {@link #JUDGED}. */
    public enum Kind {
        /** The evidence was judged and did not meet the check. */
        JUDGED,
        /** The evidence (or what came with it) could not be read: bad input. */
        MALFORMED,
        /** The check could not be made here: a service unreachable, a device or file failing. */
        UNAVAILABLE
    }

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(kind, "kind");
        if (passed && kind != Kind.JUDGED) {
            throw new IllegalArgumentException("a passed check is judged, not " + kind);
        }
    }

    public Check(String name, boolean passed, String detail) {
        this(name, passed, detail, Kind.JUDGED);
    }

    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }

    /** A check that {@code failure} kept from being made: malformed input or an unavailable environment, by its reason. */
    public static Check fail(String name, AttestationException failure) {
        return new Check(name, false, failure.getMessage(), switch (failure.reason().category()) {
            case INPUT -> Kind.MALFORMED;
            case ENVIRONMENT -> Kind.UNAVAILABLE;
            case REFUSED -> Kind.JUDGED;
        });
    }

    @Override
    public String toString() {
        return (passed ? "ok   " : "FAIL ") + name + ": " + detail;
    }
}
