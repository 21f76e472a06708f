// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tdx.verify.Collateral;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import dev.guestattest.tdx.verify.TdxVerification;
import dev.guestattest.tdx.verify.TdxVerifier;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import dev.guestattest.verify.policy.Policy;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;

/** docs/verification.md: a TDX quote verified to its root, then judged by the appraiser as {@code verify --tdx} does. */
public final class VerifyExample {
    private VerifyExample() {
    }

    public static Appraisal verify(byte[] quote, Collateral collateral, X509Certificate emulatorRoot, Bytes expected) {
        TdxVerifier verifier = TdxVerifier.builder().trust(emulatorRoot).build();    // Intel's root is built in
        TdxVerification v = verifier.verify(quote, collateral);                       // signatures, chains, collateral, TCB level
        v.trusted(); v.result().checks(); v.tcb(); v.claims();                        // claims: MRTD, RTMRs, MRSEAM, ...
        Appraisal a = Appraiser.discover().judge("tdx", Evidence.of(Bytes.of(quote), Map.of()), TdxEvidenceVerifier.of(v),
                AppraisalContext.of(Policy.forVerification("tdx").build(), Instant.now()).withReportData(expected));
        return a;
    }
}
