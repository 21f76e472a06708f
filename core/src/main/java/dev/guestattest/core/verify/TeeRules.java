// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A TEE's own policy rules, the vendor {@code validate} layer: what only that TEE's evidence can
 * say (SNP's guest policy bits and HOST_DATA, CCA's platform reference values, s390's config UID).
 * Parsed once from the policy's {@code tee_rules.<tee>} section, judged by the appraiser after the
 * evidence verified, on the evidence's own bytes. Rules shared by every TEE (debug, report data,
 * measurements, TCB) are the appraiser's and never appear here.
 */
public interface TeeRules {
    /** The rules' findings on verified {@code evidence}; names without the {@code policy.} prefix the appraiser adds. */
    List<Finding> judge(Evidence evidence);

    /** Reads a policy section strictly: unknown fields are refused, errors name {@code where} and the field. */
    interface Parser {
        TeeRules parse(String where, JsonNode section);
    }

    /** Which trust-vector claim a failed finding lowers. */
    enum Affects { CONFIGURATION, EXECUTABLES, HARDWARE, INSTANCE }

    record Finding(Check check, Affects affects) {
        public Finding {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(affects, "affects");
        }

        public static Finding of(Affects affects, String name, boolean passed, String detail) {
            return new Finding(new Check(name, passed, detail), affects);
        }
    }
}
