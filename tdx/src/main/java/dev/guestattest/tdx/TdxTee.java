// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.tdx.abi.TdxTrusteeEvidence;
import dev.guestattest.tdx.emulator.EmulatedPcs;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import dev.guestattest.tdx.verify.TdxEvidenceVerifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Intel TDX: quotes verified as Intel's QVL does; the emulator's anchor is its root CA. */
public final class TdxTee implements Tee {
    private final EvidenceVerifier verifier = new TdxEvidenceVerifier();

    @Override
    public String name() {
        return "tdx";
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    /** --collateral FILE (dcap-qvl JSON) is the CLI's; otherwise collateral comes from the collateral service (the shared --pcs options). */
    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new TdxTrusteeEvidence());
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("tdx", "QUOTE", "A TDX quote (binary)"));
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
            return Optional.of(EmulatorAnchors.ofRoots(List.of(tdx.platform().rootCertificate()), tdx.platform().rootCertificatePem(),
                    "sha256 fingerprint: " + tdx.platform().rootFingerprint()));
        }
    }

    /** Intel's PCS serving the emulated platform's collateral, issued now. */
    @Override
    public Optional<EmulatedService> emulatedService(ProviderContext context, Duration validity) {
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(context)) {
            return Optional.of(new EmulatedPcs(tdx.platform(), context.clock().instant(), validity, context.random()));
        }
    }
}
