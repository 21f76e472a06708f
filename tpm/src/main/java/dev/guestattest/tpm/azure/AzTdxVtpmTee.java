// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.tdx.TdxTee;
import java.util.List;
import java.util.Optional;

/**
 * Azure TDX confidential VMs, kbs-types tee {@code az-tdx-vtpm} (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/az_tdx_vtpm/mod.rs}; trustee 78962cd4
 * {@code deps/verifier/src/az_tdx_vtpm/mod.rs}): a TD quote vouching for the paravisor's vTPM key,
 * whose quote carries the PCRs. An emulated Azure TDX CVM runs on the emulated TDX platform, so the
 * emulator anchor is that platform's root CA, and its collateral comes from the emulated PCS the tdx
 * TEE already serves (none is declared here, or a second PCS would serve the same paths).
 */
public final class AzTdxVtpmTee implements Tee {
    private final EvidenceVerifier verifier = new AzTdxVtpmEvidenceVerifier();

    @Override
    public String name() {
        return AzTdxVtpmTrusteeEvidence.TEE;
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new AzTdxVtpmTrusteeEvidence());
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        return new TdxTee().emulatorAnchors(context);
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence(name(), "EVIDENCE", "An Azure TDX CVM's evidence: guest-components' az-tdx-vtpm JSON"
                + " (version, tpm_quote, hcl_report, td_quote); the TD quote's collateral comes from the collateral service"));
    }
}
