// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.guest;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.TdReport;

/** The two TDX guest steps the seed's selftest exercises: TDREPORT, then a quote for it. */
public interface TdxGuest {
    /** TDG.MR.REPORT for 64 bytes of report data. */
    TdReport tdReport(Bytes reportData);

    /** A quote for {@code report}, through whatever path this guest has to a quoting service. */
    byte[] quote(TdReport report);
}
