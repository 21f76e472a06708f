// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import java.util.Objects;

/**
 * One named check of a verification and what came of it. A check that could not be made is a
 * failure whose detail says why, never a pass.
 */
public record Check(String name, boolean passed, String detail) {
    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }

    @Override
    public String toString() {
        return (passed ? "ok   " : "FAIL ") + name + ": " + detail;
    }
}
