// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.snp.SnpTee;
import java.util.List;
import java.util.Optional;

/**
 * Azure SEV-SNP confidential VMs, kbs-types tee {@code az-snp-vtpm} (guest-components 8246e5e0
 * {@code attestation-agent/attester/src/az_snp_vtpm/mod.rs}; trustee 78962cd4
 * {@code deps/verifier/src/az_snp_vtpm/mod.rs}): an SNP report vouching for the paravisor's vTPM
 * key, whose quote carries the PCRs. An emulated Azure CVM runs on the emulated SNP chip, so the
 * emulator anchors are that chip's ARK and intermediates.
 */
public final class AzSnpVtpmTee implements Tee {
    private final EvidenceVerifier verifier = new AzSnpVtpmEvidenceVerifier();

    @Override
    public String name() {
        return AzSnpVtpmTrusteeEvidence.TEE;
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new AzSnpVtpmTrusteeEvidence());
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        return new SnpTee().emulatorAnchors(context);
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence(name(), "EVIDENCE", "An Azure SEV-SNP CVM's evidence: guest-components' az-snp-vtpm JSON"
                + " (version, tpm_quote, hcl_report, vcek)"));
    }
}
