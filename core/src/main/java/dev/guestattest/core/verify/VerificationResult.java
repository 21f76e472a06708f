// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import java.util.List;
import java.util.Optional;

/**
 * The vendor-neutral outcome of verifying evidence: every check that was made, in order. The
 * evidence is trusted only when there is at least one check and every check passed.
 */
public record VerificationResult(List<Check> checks) {
    public VerificationResult {
        checks = List.copyOf(checks);
    }

    public boolean trusted() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** The first failed check: the one line that says why evidence is not trusted. */
    public Optional<Check> firstFailure() {
        return checks.stream().filter(c -> !c.passed()).findFirst();
    }

    public Optional<Check> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
