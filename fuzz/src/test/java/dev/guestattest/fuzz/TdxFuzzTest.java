// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;
import dev.guestattest.tdx.abi.Quote;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import java.util.Map;

/** Intel TDX: quotes (v4/v5, certification data, PCK chain), TDREPORTs, collateral, and the verifier as the appraiser calls it. */
class TdxFuzzTest {
    private static final TdxEvidenceVerifier VERIFIER = new TdxEvidenceVerifier();
    private static final byte[] QUOTE = Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4.bin");

    @FuzzTest(maxDuration = Campaign.DURATION)
    void quote(byte[] data) {
        Untrusted.parse(() -> Quote.parse(data).qeReportCertificationData().pckCertificationData().pemChain());
        Untrusted.verify(VERIFIER, data, Map.of("collateral", Campaign.TDX_COLLATERAL));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void tdReport(byte[] data) {
        Untrusted.parse(() -> TdReport.parse(data));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void collateral(byte[] data) {
        Untrusted.parse(() -> Collateral.fromDcapQvlJson(data));
        Untrusted.verify(VERIFIER, QUOTE, Map.of("collateral", Bytes.of(data)));
    }
}
