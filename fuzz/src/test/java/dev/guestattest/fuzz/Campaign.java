// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.testing.Vectors;

/** How long a focused run fuzzes one target, and the real evidence the targets that need context start from. */
final class Campaign {
    /** One target's focused run (JAZZER_FUZZ=1 -Dtest=Class#method); CI runs {@link CampaignFuzzTest} instead. */
    static final String DURATION = "10m";

    static final Bytes TDX_COLLATERAL = Bytes.of(Vectors.read("intel-tdx/dcap-qvl/tdx_quote_v4_collateral.json"));
    static final Bytes SNP_VCEK = Bytes.of(Vectors.read("amd-sev-snp/go-sev-guest/vcek.der"));

    private Campaign() {
    }
}
