// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp;

import dev.guestattest.core.InputRules;

/** SEV-SNP's report input: exactly 64 bytes of REPORT_DATA, privilege levels (VMPL 0..3), no service fields. */
public final class SnpInput {
    public static final InputRules INPUT = InputRules.exactly(64, true, false);

    private SnpInput() {
    }
}
