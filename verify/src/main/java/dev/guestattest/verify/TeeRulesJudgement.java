// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.TeeRules;
import dev.guestattest.verify.ar4si.TrustVector;
import java.util.List;
import java.util.Optional;

/**
 * A TEE's own rules applied to verified evidence: each finding named {@code policy.<rule>}, a failed
 * one lowering the claim it affects. {@code executablesApproved} is what the TEE's rules said about
 * executables (CCA's platform and realm reference values), empty if they said nothing.
 */
record TeeRulesJudgement(TrustVector trustVector, Optional<Boolean> executablesApproved) {
    static TeeRulesJudgement judge(Optional<TeeRules> rules, Evidence evidence, TrustVector tv, List<Check> checks) {
        if (rules.isEmpty()) {
            return new TeeRulesJudgement(tv, Optional.empty());
        }
        Optional<Boolean> executables = Optional.empty();
        for (TeeRules.Finding f : rules.get().judge(evidence)) {
            Check c = f.check();
            checks.add(new Check(PolicyChecks.PREFIX + c.name(), c.passed(), c.detail()));
            if (f.affects() == TeeRules.Affects.EXECUTABLES) {
                executables = Optional.of(executables.orElse(true) && c.passed());
            } else if (!c.passed()) {
                tv = lower(tv, f.affects());
            }
        }
        return new TeeRulesJudgement(tv, executables);
    }

    private static TrustVector lower(TrustVector tv, TeeRules.Affects affects) {
        return switch (affects) {
            case CONFIGURATION -> tv.withConfiguration(Math.max(tv.configuration(), TrustVector.UNSUPPORTABLE_CONFIG));
            case HARDWARE -> tv.withHardware(Math.max(tv.hardware(), TrustVector.UNSAFE_HARDWARE));
            case INSTANCE -> tv.withInstanceIdentity(TrustVector.UNTRUSTWORTHY_INSTANCE);
            case EXECUTABLES -> tv.withExecutables(Math.max(tv.executables(), TrustVector.UNRECOGNIZED_EXECUTABLES));
        };
    }
}
