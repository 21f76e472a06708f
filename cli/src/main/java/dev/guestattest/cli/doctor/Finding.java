// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.util.Objects;

/**
 * One line of doctor's answer.
 *
 * @param check a stable dotted name, e.g. {@code tdx.quote-path}
 * @param status the verdict
 * @param detail what was found
 * @param fix what to do; empty when nothing needs doing
 */
public record Finding(String check, Status status, String detail, String fix) {
    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(fix, "fix");
    }

    static Finding ok(String check, String detail) {
        return new Finding(check, Status.OK, detail, "");
    }

    static Finding warn(String check, String detail, String fix) {
        return new Finding(check, Status.WARN, detail, fix);
    }

    static Finding fail(String check, String detail, String fix) {
        return new Finding(check, Status.FAIL, detail, fix);
    }

    static Finding skip(String check, String detail, String fix) {
        return new Finding(check, Status.SKIP, detail, fix);
    }

    /** {@code STATUS check: detail -> fix: fix}, the status padded so the checks line up. */
    public String line() {
        String head = String.format("%-4s %s: %s", status.name(), check, detail);
        return fix.isEmpty() ? head : head + " -> fix: " + fix;
    }
}
