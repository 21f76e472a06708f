// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx;

import dev.guestattest.core.InputRules;

/** TDX's request rules: exactly 64 bytes of report data (TDX_REPORTDATA_LEN), no privilege levels. */
public final class TdxInput {
    public static final InputRules INPUT = InputRules.exactly(64, false, false);

    private TdxInput() {
    }
}
